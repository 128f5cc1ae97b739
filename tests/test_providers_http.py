"""Both providers' CRUD over real HTTP against the emulator (no engine: methods called directly,
as the dynamic-provider host would)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from vdm_resources import (
    AccountVdmAttributesProvider,
    ConfigurationSetVdmOptionsProvider,
    _aws,
)
from vdm_resources.emulator.testing import RunningEmulator

SENTINEL_KEY = "AKIASENTINEL7Q3XK2ZZ"
SENTINEL_SECRET = "sentinel/Secret+Value/9f8e7d6c5b4a3f2e1d0c"


@pytest.fixture
def aws(aws_emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch) -> RunningEmulator:
    """The emulator behind ``_aws``, reached with sentinel credentials and no pacing."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", SENTINEL_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SENTINEL_SECRET)
    monkeypatch.delenv(_aws.MAX_ATTEMPTS_ENV)
    _aws.reset_clients()
    return aws_emulator


def seed_set(emu: RunningEmulator, name: str, vdm_options: dict[str, Any] | None = None) -> None:
    spec: dict[str, Any] = {"ConfigurationSetName": name}
    if vdm_options:
        spec["VdmOptions"] = vdm_options
    emu.control.seed({"regions": {"us-east-1": {"configuration_sets": [spec]}}})


def live_account(emu: RunningEmulator) -> dict[str, Any]:
    return dict(emu.boto3_client().get_account().get("VdmAttributes") or {})


def live_options(emu: RunningEmulator, name: str) -> dict[str, Any]:
    out = emu.boto3_client().get_configuration_set(ConfigurationSetName=name)
    return dict(out.get("VdmOptions") or {})


ACCOUNT_PROPS = {
    "__name": "vdm",
    "vdm_enabled": "ENABLED",
    "dashboard_attributes": {"engagement_metrics": "ENABLED"},
    "guardian_attributes": None,
    "region": None,
    "restore_on_delete": False,
}


def test_account_crud_and_drift(aws: RunningEmulator, account_put: str) -> None:
    p = AccountVdmAttributesProvider()
    created = p.create(dict(ACCOUNT_PROPS))
    assert created.id == "us-east-1"
    outs = created.outs or {}
    assert outs["previous_vdm_attributes"] is None
    assert outs["dashboard_attributes"] == {"engagement_metrics": "ENABLED"}
    assert live_account(aws) == {
        "VdmEnabled": "ENABLED",
        "DashboardAttributes": {"EngagementMetrics": "ENABLED"},
        "GuardianAttributes": {"OptimizedSharedDelivery": "DISABLED"},
    }
    # Out-of-band drift: read reflects it in outputs and in the inputs handed to the engine.
    aws.boto3_client().put_account_vdm_attributes(
        VdmAttributes={
            "VdmEnabled": "DISABLED",
            "DashboardAttributes": {"EngagementMetrics": "DISABLED"},
        }
    )
    aws.control.reset_requests()
    read = p.read("us-east-1", outs)
    assert aws.control.requests()["calls"] == {"GetAccount": 1}
    assert read.id == "us-east-1"
    assert read.outs is not None and read.inputs is not None
    assert read.outs["vdm_enabled"] == "DISABLED"
    assert read.inputs["vdm_enabled"] == "DISABLED"
    # While VDM is DISABLED, GetAccount shows no nested objects (as live AWS does): what cannot be
    # read keeps the state's value, and is written again by the next up.
    assert read.inputs["dashboard_attributes"] == {"engagement_metrics": "ENABLED"}
    assert read.inputs.get("guardian_attributes") is None  # unmanaged stays unmanaged
    # The next up: diff sees the drift, update restores with exactly one Put (after one read:
    # guardian is not managed, so its live value is sent back unchanged).
    assert p.diff("us-east-1", read.outs, dict(ACCOUNT_PROPS)).changes is True
    aws.control.reset_requests()
    updated = p.update("us-east-1", read.outs, dict(ACCOUNT_PROPS))
    assert aws.control.requests()["calls"] == {"GetAccount": 1, "PutAccountVdmAttributes": 1}
    assert (updated.outs or {})["vdm_enabled"] == "ENABLED"
    assert live_account(aws)["DashboardAttributes"] == {"EngagementMetrics": "ENABLED"}
    # Delete disables, twice in a row without error.
    p.delete("us-east-1", updated.outs or {})
    p.delete("us-east-1", updated.outs or {})
    assert live_account(aws) == {"VdmEnabled": "DISABLED"}


def test_account_update_of_restore_flag_only_makes_no_call(
    aws: RunningEmulator, account_put: str
) -> None:
    p = AccountVdmAttributesProvider()
    outs = p.create(dict(ACCOUNT_PROPS)).outs or {}
    aws.control.reset_requests()
    p.update("us-east-1", outs, {**ACCOUNT_PROPS, "restore_on_delete": True})
    assert aws.control.calls() == 0


def test_adopt_and_restore_on_delete(aws: RunningEmulator, account_put: str) -> None:
    existing = {
        "VdmEnabled": "ENABLED",
        "DashboardAttributes": {"EngagementMetrics": "DISABLED"},
        "GuardianAttributes": {"OptimizedSharedDelivery": "ENABLED"},
    }
    aws.control.set_account_vdm_attributes("us-east-1", existing)
    p = AccountVdmAttributesProvider()
    props = {**ACCOUNT_PROPS, "vdm_enabled": "DISABLED", "restore_on_delete": True}
    outs = p.create(props).outs or {}
    assert outs["previous_vdm_attributes"] == {
        "vdm_enabled": "ENABLED",
        "dashboard_attributes": {"engagement_metrics": "DISABLED"},
        "guardian_attributes": {"optimized_shared_delivery": "ENABLED"},
    }
    assert live_account(aws)["VdmEnabled"] == "DISABLED"
    p.delete("us-east-1", outs)
    assert live_account(aws) == existing


def test_configuration_set_crud_partial_ownership(aws: RunningEmulator) -> None:
    seed_set(aws, "marketing", {"GuardianOptions": {"OptimizedSharedDelivery": "ENABLED"}})
    p = ConfigurationSetVdmOptionsProvider()
    props = {
        "__name": "marketing-vdm",
        "configuration_set_name": "marketing",
        "dashboard_options": {"engagement_metrics": "DISABLED"},
        "guardian_options": None,
        "region": None,
    }
    aws.control.reset_requests()
    created = p.create(props)
    assert aws.control.requests()["calls"] == {
        "GetConfigurationSet": 1,
        "PutConfigurationSetVdmOptions": 1,
    }
    outs = created.outs or {}
    assert created.id == "marketing"
    assert outs["previous_vdm_options"] == {
        "dashboard_options": {"engagement_metrics": None},
        "guardian_options": {"optimized_shared_delivery": "ENABLED"},
    }
    # The unmanaged guardian option kept its value through the whole-object Put.
    assert live_options(aws, "marketing") == {
        "DashboardOptions": {"EngagementMetrics": "DISABLED"},
        "GuardianOptions": {"OptimizedSharedDelivery": "ENABLED"},
    }
    # Update: one read (an option is unmanaged) and one write.
    news = {**props, "dashboard_options": {"engagement_metrics": "ENABLED"}}
    aws.control.reset_requests()
    outs = p.update("marketing", outs, news).outs or {}
    assert aws.control.requests()["calls"] == {
        "GetConfigurationSet": 1,
        "PutConfigurationSetVdmOptions": 1,
    }
    assert outs["dashboard_options"] == {"engagement_metrics": "ENABLED"}
    # Delete removes only what this resource managed.
    p.delete("marketing", outs)
    assert live_options(aws, "marketing") == {
        "GuardianOptions": {"OptimizedSharedDelivery": "ENABLED"}
    }


def test_configuration_set_fully_managed_delete_clears_override(aws: RunningEmulator) -> None:
    seed_set(aws, "tx")
    p = ConfigurationSetVdmOptionsProvider()
    props = {
        "__name": "tx-vdm",
        "configuration_set_name": "tx",
        "dashboard_options": {"engagement_metrics": "ENABLED"},
        "guardian_options": {"optimized_shared_delivery": "DISABLED"},
        "region": None,
    }
    outs = p.create(props).outs or {}
    aws.control.reset_requests()
    p.delete("tx", outs)
    assert aws.control.requests()["calls"] == {"PutConfigurationSetVdmOptions": 1}
    assert live_options(aws, "tx") == {}


def test_missing_set_is_a_clear_error_and_read_drops_it(aws: RunningEmulator) -> None:
    p = ConfigurationSetVdmOptionsProvider()
    props = {"__name": "ghost-vdm", "configuration_set_name": "ghost", "region": None}
    with pytest.raises(Exception) as info:
        p.create(props)
    assert str(info.value) == (
        "ConfigurationSetVdmOptions 'ghost-vdm': configuration set 'ghost' not found in "
        "us-east-1 (NotFoundException)"
    )
    seed_set(aws, "ghost")
    outs = p.create({**props, "dashboard_options": {"engagement_metrics": "ENABLED"}}).outs or {}
    aws.boto3_client().delete_configuration_set(ConfigurationSetName="ghost")
    gone = p.read("ghost", outs)
    assert not gone.id and gone.outs == {}
    p.delete("ghost", outs)  # already gone: success
    p.delete("ghost", outs)


@pytest.mark.parametrize(
    ("operation", "kind", "count"),
    [
        ("PutConfigurationSetVdmOptions", "throttle", 5),
        ("GetConfigurationSet", "error", 3),
        ("PutConfigurationSetVdmOptions", "drop", 2),
    ],
)
def test_fault_storms_are_survived_with_exact_final_state(
    aws: RunningEmulator, operation: str, kind: str, count: int
) -> None:
    seed_set(aws, "storm")
    aws.control.add_fault(operation=operation, kind=kind, count=count)
    p = ConfigurationSetVdmOptionsProvider()
    props = {
        "__name": "storm-vdm",
        "configuration_set_name": "storm",
        "dashboard_options": {"engagement_metrics": "ENABLED"},
        "guardian_options": {"optimized_shared_delivery": "ENABLED"},
        "region": None,
    }
    aws.control.reset_requests()
    p.create(props)
    calls = aws.control.requests()["calls"]
    assert calls[operation] == count + 1  # every retry shows in the request log
    assert live_options(aws, "storm") == {
        "DashboardOptions": {"EngagementMetrics": "ENABLED"},
        "GuardianOptions": {"OptimizedSharedDelivery": "ENABLED"},
    }
    assert aws.control.faults() == []


def test_retries_are_bounded(aws: RunningEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(_aws.MAX_ATTEMPTS_ENV, "3")
    # 5xx answers: throttling is bounded by time instead (tests/test_aws_retries.py).
    aws.control.add_fault(operation="GetAccount", kind="error", count=10)
    with pytest.raises(
        Exception,
        match=r"AccountVdmAttributes 'vdm': GetAccount in us-east-1 failed after 3 attempts",
    ):
        AccountVdmAttributesProvider().create(dict(ACCOUNT_PROPS))
    assert aws.control.requests()["calls"] == {"GetAccount": 3}
    aws.control.clear_faults()
    # Nothing was written: the failed create left the account untouched.
    assert live_account(aws) == {}


def test_sentinel_credentials_never_appear(aws: RunningEmulator) -> None:
    seed_set(aws, "s1")
    ap, cp = AccountVdmAttributesProvider(), ConfigurationSetVdmOptionsProvider()
    texts: list[str] = []
    a = ap.create(dict(ACCOUNT_PROPS))
    c = cp.create(
        {
            "__name": "s1-vdm",
            "configuration_set_name": "s1",
            "dashboard_options": {"engagement_metrics": "ENABLED"},
            "region": None,
        }
    )
    texts += [
        json.dumps(a.outs),
        json.dumps(c.outs),
        json.dumps(ap.read("us-east-1", a.outs or {}).outs),
    ]
    for bad in (
        lambda: cp.create({"__name": "x", "configuration_set_name": "missing", "region": None}),
        lambda: ap.create({**ACCOUNT_PROPS, "region": "eu-west-3", "vdm_enabled": "MAYBE"}),
    ):
        with pytest.raises(Exception) as info:
            bad()
        texts.append(str(info.value))
    blob = "\n".join(texts)
    assert SENTINEL_KEY not in blob and SENTINEL_SECRET not in blob
    assert "missing" in blob  # the errors themselves were captured
