"""Previews, refreshes and state a reviewer can trust (issue 12): one regression test per hole,
over HTTP against the emulator, calling the providers as the dynamic-provider host does."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.output import Unknown

from vdm_resources import (
    AccountVdmAttributesDashboardAttributesArgs,
    AccountVdmAttributesProvider,
    ConfigurationSetVdmOptionsGuardianOptionsArgs,
    ConfigurationSetVdmOptionsProvider,
    _aws,
    configuration_set_vdm_options,
)
from vdm_resources._provider import DRY_RUN_KEY
from vdm_resources.emulator.testing import RunningEmulator
from vdm_resources.errors import InputError

SET = "marketing"


def seed_set(emu: RunningEmulator, name: str, vdm_options: dict[str, Any] | None = None) -> None:
    spec: dict[str, Any] = {"ConfigurationSetName": name}
    if vdm_options:
        spec["VdmOptions"] = vdm_options
    emu.control.seed({"regions": {"us-east-1": {"configuration_sets": [spec]}}})


def live_options(emu: RunningEmulator, name: str = SET) -> dict[str, Any]:
    out = emu.boto3_client().get_configuration_set(ConfigurationSetName=name)
    return dict(out.get("VdmOptions") or {})


def set_props(**extra: Any) -> dict[str, Any]:
    return {"__name": f"{SET}-vdm", "configuration_set_name": SET, "region": None, **extra}


# -- 2. taking over a setting compares with a fresh read ------------------------------------


def test_take_over_after_drift_writes_the_declared_value(aws_emulator: RunningEmulator) -> None:
    # The set's guardian option is ENABLED (somebody else's) when the program first writes.
    seed_set(aws_emulator, SET, {"GuardianOptions": {"OptimizedSharedDelivery": "ENABLED"}})
    p = ConfigurationSetVdmOptionsProvider()
    outs = p.create(set_props(dashboard_options={"engagement_metrics": "ENABLED"})).outs or {}
    assert outs["guardian_options"] == {"optimized_shared_delivery": "ENABLED"}  # the record
    # AWS drifts: the console turns guardian off; no refresh runs.
    aws_emulator.boto3_client().put_configuration_set_vdm_options(
        ConfigurationSetName=SET,
        VdmOptions={"DashboardOptions": {"EngagementMetrics": "ENABLED"}},
    )
    # The program takes guardian over with the value the stale record happens to hold.
    news = set_props(
        dashboard_options={"engagement_metrics": "ENABLED"},
        guardian_options={"optimized_shared_delivery": "ENABLED"},
    )
    assert p.diff(SET, outs, news).changes is True
    updated = p.update(SET, outs, news).outs or {}
    assert live_options(aws_emulator) == {
        "DashboardOptions": {"EngagementMetrics": "ENABLED"},
        "GuardianOptions": {"OptimizedSharedDelivery": "ENABLED"},
    }
    assert updated["guardian_options"] == {"optimized_shared_delivery": "ENABLED"}


def test_take_over_that_already_holds_makes_no_write(aws_emulator: RunningEmulator) -> None:
    seed_set(aws_emulator, SET, {"GuardianOptions": {"OptimizedSharedDelivery": "ENABLED"}})
    p = ConfigurationSetVdmOptionsProvider()
    outs = p.create(set_props(dashboard_options={"engagement_metrics": "ENABLED"})).outs or {}
    news = set_props(
        dashboard_options={"engagement_metrics": "ENABLED"},
        guardian_options={"optimized_shared_delivery": "ENABLED"},
    )
    aws_emulator.control.reset_requests()
    p.update(SET, outs, news)
    assert aws_emulator.control.requests()["calls"] == {"GetConfigurationSet": 1}


def test_account_take_over_after_drift_writes_the_declared_value(
    aws_emulator: RunningEmulator, account_put: str
) -> None:
    aws_emulator.control.set_account_vdm_attributes(
        "us-east-1",
        {"VdmEnabled": "ENABLED", "GuardianAttributes": {"OptimizedSharedDelivery": "ENABLED"}},
    )
    p = AccountVdmAttributesProvider()
    base = {"__name": "vdm", "vdm_enabled": "ENABLED", "region": None}
    outs = p.create(dict(base)).outs or {}
    assert outs["guardian_attributes"] == {"optimized_shared_delivery": "ENABLED"}
    aws_emulator.boto3_client().put_account_vdm_attributes(
        VdmAttributes={
            "VdmEnabled": "ENABLED",
            "GuardianAttributes": {"OptimizedSharedDelivery": "DISABLED"},
        }
    )
    news = {**base, "guardian_attributes": {"optimized_shared_delivery": "ENABLED"}}
    p.update("us-east-1", outs, news)
    live = aws_emulator.boto3_client().get_account()["VdmAttributes"]
    assert live["GuardianAttributes"] == {"OptimizedSharedDelivery": "ENABLED"}


# -- 4. the account write keeps what it does not manage, whatever AWS does with omissions ------


def test_account_writes_keep_unmanaged_attributes_under_merge_and_replace(
    aws_emulator: RunningEmulator, account_put: str
) -> None:
    somebody_elses = {"OptimizedSharedDelivery": "ENABLED"}
    aws_emulator.control.set_account_vdm_attributes(
        "us-east-1", {"VdmEnabled": "ENABLED", "GuardianAttributes": somebody_elses}
    )
    p = AccountVdmAttributesProvider()
    props = {
        "__name": "vdm",
        "vdm_enabled": "ENABLED",
        "dashboard_attributes": {"engagement_metrics": "ENABLED"},
        "region": None,
    }
    outs = p.create(dict(props)).outs or {}
    live = aws_emulator.boto3_client().get_account()["VdmAttributes"]
    assert live["GuardianAttributes"] == somebody_elses, account_put
    news = {**props, "dashboard_attributes": {"engagement_metrics": "DISABLED"}}
    outs = p.update("us-east-1", outs, news).outs or {}
    live = aws_emulator.boto3_client().get_account()["VdmAttributes"]
    assert live == {
        "VdmEnabled": "ENABLED",
        "DashboardAttributes": {"EngagementMetrics": "DISABLED"},
        "GuardianAttributes": somebody_elses,
    }, account_put
    assert outs["guardian_attributes"] == {"optimized_shared_delivery": "ENABLED"}
    # Delete disables VDM and leaves the nested settings as they were (hidden from GetAccount
    # while disabled, so read from the emulator's stored state).
    p.delete("us-east-1", outs)
    stored = aws_emulator.control.state()["regions"]["us-east-1"]["vdm_attributes"]
    assert stored == {
        "VdmEnabled": "DISABLED",
        "DashboardAttributes": {"EngagementMetrics": "DISABLED"},
        "GuardianAttributes": somebody_elses,
    }, account_put


# -- 3. an unknown block is a change in preview ---------------------------------------------


@pytest.mark.parametrize(
    "news",
    [
        set_props(
            dashboard_options=Unknown(), guardian_options={"optimized_shared_delivery": "ENABLED"}
        ),
        set_props(
            dashboard_options={"engagement_metrics": Unknown()},
            guardian_options={"optimized_shared_delivery": "ENABLED"},
        ),
    ],
    ids=["whole-block", "leaf"],
)
def test_unknown_block_that_may_take_over_is_a_change(news: dict[str, Any]) -> None:
    olds = {
        "configuration_set_name": SET,
        "region": "us-east-1",
        "dashboard_options": {"engagement_metrics": "DISABLED"},
        "guardian_options": {"optimized_shared_delivery": "ENABLED"},
        "__inputs": {
            "configuration_set_name": SET,
            "guardian_options": {"optimized_shared_delivery": "ENABLED"},
        },
    }
    result = ConfigurationSetVdmOptionsProvider().diff(SET, olds, {**news, "region": "us-east-1"})
    assert result.changes is True
    assert not result.replaces


def test_account_unknown_block_is_a_change() -> None:
    olds = {
        "vdm_enabled": "ENABLED",
        "region": "us-east-1",
        "dashboard_attributes": {"engagement_metrics": "ENABLED"},
        "guardian_attributes": {"optimized_shared_delivery": "DISABLED"},
        "__inputs": {"vdm_enabled": "ENABLED"},
    }
    news = {"vdm_enabled": "ENABLED", "region": "us-east-1", "guardian_attributes": Unknown()}
    assert AccountVdmAttributesProvider().diff("us-east-1", olds, news).changes is True


# -- 5. region resolution and validation at preview -----------------------------------------


@pytest.fixture
def no_region(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    for var in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    _aws.reset_clients()


def test_no_region_fails_check_naming_the_resource(no_region: None) -> None:
    res = AccountVdmAttributesProvider().check({}, {"__name": "acct", "vdm_enabled": "ENABLED"})
    assert [f.property for f in res.failures] == ["region"]
    assert res.failures[0].reason.startswith("AccountVdmAttributes 'acct': region: no AWS region")
    res = ConfigurationSetVdmOptionsProvider().check({}, set_props())
    assert [f.property for f in res.failures] == ["region"]
    assert "ConfigurationSetVdmOptions 'marketing-vdm'" in res.failures[0].reason


def test_aws_region_alone_is_enough_at_check(
    no_region: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert AccountVdmAttributesProvider().check({}, {"vdm_enabled": "ENABLED"}).failures == []


@pytest.mark.parametrize(
    ("region", "fragment"),
    [("us-wst-2", "did you mean 'us-west-2'"), ("mars-1", "is not an AWS region")],
)
def test_region_typo_fails_check(region: str, fragment: str) -> None:
    res = ConfigurationSetVdmOptionsProvider().check({}, set_props(region=region))
    assert [f.property for f in res.failures] == ["region"]
    assert fragment in res.failures[0].reason


def test_real_regions_outside_the_usual_pattern_pass_check() -> None:
    res = AccountVdmAttributesProvider().check(
        {}, {"vdm_enabled": "ENABLED", "region": "eusc-de-east-1"}
    )
    assert res.failures == []


# -- 6. errors name their target and list the right names -----------------------------------


def test_write_error_names_type_resource_set_operation_and_code(
    aws_emulator: RunningEmulator,
) -> None:
    seed_set(aws_emulator, SET)
    p = ConfigurationSetVdmOptionsProvider()
    # A value check would refuse at preview; sent anyway, AWS answers BadRequestException.
    with pytest.raises(Exception) as info:
        p.create(set_props(dashboard_options={"engagement_metrics": "ON"}))
    message = str(info.value)
    assert message.startswith(
        "ConfigurationSetVdmOptions 'marketing-vdm' (configuration set 'marketing'): "
        "PutConfigurationSetVdmOptions in us-east-1 failed: "
    ), message
    assert message.endswith("(BadRequestException)"), message


def test_error_without_a_resource_name_still_names_the_set(aws_emulator: RunningEmulator) -> None:
    seed_set(aws_emulator, SET)
    props = {k: v for k, v in set_props().items() if k != "__name"}
    with pytest.raises(Exception) as info:
        ConfigurationSetVdmOptionsProvider().create(
            {**props, "guardian_options": {"optimized_shared_delivery": "maybe"}}
        )
    assert "<unnamed>" not in str(info.value)
    assert str(info.value).startswith("ConfigurationSetVdmOptions (configuration set 'marketing')")


def test_misspelt_account_property_lists_only_its_own_names() -> None:
    res = AccountVdmAttributesProvider().check(
        {}, {"vdm_enabled": "ENABLED", "region": "us-east-1", "dashboard_options": {}}
    )
    (failure,) = res.failures
    assert failure.property == "dashboard_options"
    allowed = failure.reason.split("allowed: ", 1)[1].split(", ")
    assert allowed == [
        "assume_role",
        "dashboard_attributes",
        "guardian_attributes",
        "profile",
        "region",
        "restore_on_delete",
        "vdm_enabled",
    ]


def test_wrong_case_value_gets_the_upper_case_hint() -> None:
    res = AccountVdmAttributesProvider().check(
        {}, {"vdm_enabled": "enabled", "region": "us-east-1"}
    )
    (failure,) = res.failures
    assert "(values are upper case: 'ENABLED')" in failure.reason


def test_misspelt_field_of_an_args_class_is_one_line() -> None:
    with pytest.raises(InputError) as info:
        AccountVdmAttributesDashboardAttributesArgs(engagement_metric="ENABLED")  # type: ignore[call-arg]
    assert str(info.value) == (
        "AccountVdmAttributesDashboardAttributesArgs: unknown field 'engagement_metric'; "
        "allowed: engagement_metrics"
    )
    with pytest.raises(InputError, match=r"'enabled' is not one of ENABLED, DISABLED \(values"):
        ConfigurationSetVdmOptionsGuardianOptionsArgs(optimized_shared_delivery="enabled")


# -- 7. a preview warns when a create targets a set that does not exist -----------------------


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    monkeypatch.setattr(configuration_set_vdm_options, "warn", seen.append)
    return seen


def test_preview_of_a_create_warns_once_when_the_set_does_not_exist(
    aws_emulator: RunningEmulator, warnings: list[str]
) -> None:
    p = ConfigurationSetVdmOptionsProvider()
    news = set_props(region="us-east-1", **{DRY_RUN_KEY: True})
    aws_emulator.control.reset_requests()
    res = p.check({}, news)
    assert res.failures == []  # a warning, not a failure: the program may create the set
    assert aws_emulator.control.requests()["calls"] == {"GetConfigurationSet": 1}
    assert warnings == [
        "ConfigurationSetVdmOptions 'marketing-vdm': "
        "configuration set 'marketing' does not exist in us-east-1 now; `pulumi up` will fail "
        "unless it is created first (by this program, with a dependency on it, or elsewhere)"
    ]


def test_preview_of_a_create_for_an_existing_set_is_silent(
    aws_emulator: RunningEmulator, warnings: list[str]
) -> None:
    seed_set(aws_emulator, SET)
    ConfigurationSetVdmOptionsProvider().check({}, set_props(**{DRY_RUN_KEY: True}))
    assert warnings == []


@pytest.mark.parametrize("dry_run", [True, False])
def test_no_call_when_not_a_preview_of_a_new_target(
    aws_emulator: RunningEmulator, warnings: list[str], dry_run: bool
) -> None:
    p = ConfigurationSetVdmOptionsProvider()
    aws_emulator.control.reset_requests()
    # An existing resource (olds name the same set) in a preview, or any check during `up`.
    olds = set_props() if dry_run else {}
    p.check(olds, set_props(**{DRY_RUN_KEY: dry_run}))
    assert aws_emulator.control.calls() == 0
    assert warnings == []
