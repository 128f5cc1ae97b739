"""GetAccount / PutAccountVdmAttributes, endpoint discovery and region isolation."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from vdm_resources.emulator.testing import RunningEmulator, error_details


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


def test_omitted_nested_attributes_keep_previous_values(sesv2: Any) -> None:
    sesv2.put_account_vdm_attributes(
        VdmAttributes={
            "VdmEnabled": "ENABLED",
            "DashboardAttributes": {"EngagementMetrics": "ENABLED"},
            "GuardianAttributes": {"OptimizedSharedDelivery": "ENABLED"},
        }
    )
    sesv2.put_account_vdm_attributes(
        VdmAttributes={
            "VdmEnabled": "DISABLED",
            "GuardianAttributes": {"OptimizedSharedDelivery": "DISABLED"},
        }
    )
    assert sesv2.get_account()["VdmAttributes"] == {
        "VdmEnabled": "DISABLED",
        "DashboardAttributes": {"EngagementMetrics": "ENABLED"},
        "GuardianAttributes": {"OptimizedSharedDelivery": "DISABLED"},
    }


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
