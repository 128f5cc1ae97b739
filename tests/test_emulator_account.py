"""GetAccount / PutAccountVdmAttributes, endpoint discovery and region isolation."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from vdm_resources.emulator.client import ControlError
from vdm_resources.emulator.testing import RunningEmulator, error_details, start_emulator


def test_get_account_omits_vdm_until_configured(sesv2: Any) -> None:
    account = sesv2.get_account()
    assert "VdmAttributes" not in account
    assert account["SendingEnabled"] is True
    assert account["ProductionAccessEnabled"] is True
    assert account["EnforcementStatus"] == "HEALTHY"
    assert account["DedicatedIpAutoWarmupEnabled"] is False
    assert account["SendQuota"]["MaxSendRate"] > 0


def test_put_then_get_with_defaults_for_unset_nested(sesv2: Any) -> None:
    sesv2.put_account_vdm_attributes(VdmAttributes={"VdmEnabled": "ENABLED"})
    assert sesv2.get_account()["VdmAttributes"] == {
        "VdmEnabled": "ENABLED",
        "DashboardAttributes": {"EngagementMetrics": "DISABLED"},
        "GuardianAttributes": {"OptimizedSharedDelivery": "DISABLED"},
    }


ALL_ON = {
    "VdmEnabled": "ENABLED",
    "DashboardAttributes": {"EngagementMetrics": "ENABLED"},
    "GuardianAttributes": {"OptimizedSharedDelivery": "ENABLED"},
}
DEFAULTS_ON = {
    "VdmEnabled": "ENABLED",
    "DashboardAttributes": {"EngagementMetrics": "DISABLED"},
    "GuardianAttributes": {"OptimizedSharedDelivery": "DISABLED"},
}


@pytest.fixture(params=["merge", "replace"])
def account_put(request: pytest.FixtureRequest, emulator: RunningEmulator) -> str:
    """Each test below runs under both readings of an omitted nested block."""
    mode = str(request.param)
    emulator.control.set_account_put(mode)
    return mode


def test_nested_attributes_are_omitted_while_vdm_is_disabled(sesv2: Any, account_put: str) -> None:
    sesv2.put_account_vdm_attributes(VdmAttributes=ALL_ON)
    sesv2.put_account_vdm_attributes(
        VdmAttributes={
            "VdmEnabled": "DISABLED",
            "DashboardAttributes": {"EngagementMetrics": "ENABLED"},
        }
    )
    assert sesv2.get_account()["VdmAttributes"] == {"VdmEnabled": "DISABLED"}


def test_disabled_first_put_configures_the_account(sesv2: Any, account_put: str) -> None:
    sesv2.put_account_vdm_attributes(VdmAttributes={"VdmEnabled": "DISABLED"})
    assert sesv2.get_account()["VdmAttributes"] == {"VdmEnabled": "DISABLED"}
    sesv2.put_account_vdm_attributes(VdmAttributes={"VdmEnabled": "ENABLED"})
    assert sesv2.get_account()["VdmAttributes"] == DEFAULTS_ON


def test_omitted_nested_block_merge_keeps_replace_resets(sesv2: Any, account_put: str) -> None:
    sesv2.put_account_vdm_attributes(VdmAttributes=ALL_ON)
    sesv2.put_account_vdm_attributes(
        VdmAttributes={
            "VdmEnabled": "ENABLED",
            "GuardianAttributes": {"OptimizedSharedDelivery": "DISABLED"},
        }
    )
    dashboard = "ENABLED" if account_put == "merge" else "DISABLED"
    assert sesv2.get_account()["VdmAttributes"] == {
        "VdmEnabled": "ENABLED",
        "DashboardAttributes": {"EngagementMetrics": dashboard},
        "GuardianAttributes": {"OptimizedSharedDelivery": "DISABLED"},
    }


def test_reenabling_after_disable(sesv2: Any, account_put: str) -> None:
    """Merge keeps the stored nested values through a DISABLED spell; replace resets them."""
    sesv2.put_account_vdm_attributes(VdmAttributes=ALL_ON)
    sesv2.put_account_vdm_attributes(VdmAttributes={"VdmEnabled": "DISABLED"})
    sesv2.put_account_vdm_attributes(VdmAttributes={"VdmEnabled": "ENABLED"})
    expected = ALL_ON if account_put == "merge" else DEFAULTS_ON
    assert sesv2.get_account()["VdmAttributes"] == expected


def test_account_put_setting_over_the_control_endpoint(emulator: RunningEmulator) -> None:
    assert emulator.control.account_put() == "merge"  # the default
    emulator.control.set_account_put("replace")
    assert emulator.control.settings()["account_put"] == "replace"
    assert emulator.control.health()["settings"]["account_put"] == "replace"
    with pytest.raises(ControlError) as exc:
        emulator.control.set_account_put("overwrite")
    assert exc.value.status == 400
    assert "merge" in exc.value.message and "replace" in exc.value.message
    assert emulator.control.account_put() == "replace"
    emulator.control.reset()  # back to the start-up setting
    assert emulator.control.account_put() == "merge"


def test_unknown_setting_is_refused(emulator: RunningEmulator) -> None:
    with pytest.raises(ControlError) as exc:
        emulator.control.set_settings(account_puts="merge")
    assert exc.value.status == 400
    assert "account_puts" in exc.value.message


@pytest.mark.slow
def test_account_put_start_up_setting() -> None:
    with start_emulator(rate_limits=False, account_put="replace") as emu:
        client = emu.boto3_client()
        assert emu.control.account_put() == "replace"
        client.put_account_vdm_attributes(VdmAttributes=ALL_ON)
        client.put_account_vdm_attributes(VdmAttributes={"VdmEnabled": "ENABLED"})
        assert client.get_account()["VdmAttributes"] == DEFAULTS_ON
        emu.control.set_account_put("merge")
        emu.control.reset()
        assert emu.control.account_put() == "replace"  # reset restores the start-up value


@pytest.mark.parametrize(
    ("attributes", "field"),
    [
        ({}, "VdmEnabled"),
        ({"VdmEnabled": "MAYBE"}, "VdmAttributes.VdmEnabled"),
        (
            {"VdmEnabled": "ENABLED", "DashboardAttributes": {"EngagementMetrics": "on"}},
            "VdmAttributes.DashboardAttributes.EngagementMetrics",
        ),
        (
            {"VdmEnabled": "ENABLED", "GuardianAttributes": {"OptimizedSharedDelivery": 1}},
            "VdmAttributes.GuardianAttributes.OptimizedSharedDelivery",
        ),
    ],
)
def test_put_validation_names_the_field(
    sesv2_raw: Any, sesv2: Any, attributes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ClientError) as exc:
        sesv2_raw.put_account_vdm_attributes(VdmAttributes=attributes)
    code, status, message = error_details(exc.value)
    assert (code, status) == ("BadRequestException", 400)
    assert field in message
    assert "VdmAttributes" not in sesv2.get_account()


def test_put_without_vdm_attributes_is_rejected(sesv2_raw: Any) -> None:
    with pytest.raises(ClientError) as exc:
        sesv2_raw.put_account_vdm_attributes()
    code, status, message = error_details(exc.value)
    assert (code, status) == ("BadRequestException", 400)
    assert '"VdmAttributes"' in message


def test_regions_are_isolated_by_credential_scope(emulator: RunningEmulator) -> None:
    east = emulator.boto3_client("us-east-1")
    west = emulator.boto3_client("eu-west-1")
    west.put_account_vdm_attributes(VdmAttributes={"VdmEnabled": "ENABLED"})
    assert west.get_account()["VdmAttributes"]["VdmEnabled"] == "ENABLED"
    assert "VdmAttributes" not in east.get_account()
    regions = {e["region"] for e in emulator.control.requests()["log"]}
    assert regions == {"us-east-1", "eu-west-1"}


@pytest.mark.parametrize("variable", ["AWS_ENDPOINT_URL_SESV2", "AWS_ENDPOINT_URL"])
def test_boto3_finds_emulator_through_standard_env_variables(
    emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    env = dict(emulator.env)
    url = env.pop("AWS_ENDPOINT_URL_SESV2")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL_SESV2", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv(variable, url)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    client = boto3.session.Session().client("sesv2")
    assert client.meta.endpoint_url == url
    client.get_account()
    assert emulator.control.calls("GetAccount") == 1
