"""Many accounts in one program (issue 14): the resources and components name the account they
act in with ``assume_role`` / ``profile`` (or the stack's ``aws:assumeRoles`` / ``aws:profile``),
over HTTP against the emulator's STS and its per-account SESv2 state."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest
from pulumi.dynamic import Config, ConfigureRequest

from vdm_resources import (
    AccountVdmAttributesProvider,
    AssumeRoleArgs,
    ConfigurationSetVdmOptionsProvider,
    VdmRecommendations,
    _credentials,
    _ownership,
)
from vdm_resources.account_vdm_attributes import AccountVdmAttributes
from vdm_resources.emulator.testing import RunningEmulator

from .mocks import ComponentMocks, run_component

PROD_ROLE = "arn:aws:iam::111111111111:role/ses-admin"
STAGING_ROLE = "arn:aws:iam::222222222222:role/ses-admin"
PROD = {"role_arn": PROD_ROLE, "session_name": "vdm"}
STAGING = {"role_arn": STAGING_ROLE, "session_name": "vdm"}
DEFAULT_ACCOUNT = "123456789012"


def account_props(role: dict[str, Any] | None, dashboard: str = "ENABLED") -> dict[str, Any]:
    return {
        "__name": "vdm",
        "vdm_enabled": "ENABLED",
        "dashboard_attributes": {"engagement_metrics": dashboard},
        "region": "us-east-1",
        "assume_role": role,
        "profile": None,
    }


def stored_account(emu: RunningEmulator, account: str) -> Any:
    return (
        emu.control.state(account_id=account)["regions"].get("us-east-1", {}).get("vdm_attributes")
    )


def test_two_accounts_in_one_program_hold_only_their_own_settings(
    aws_emulator: RunningEmulator,
) -> None:
    p = AccountVdmAttributesProvider()
    prod = p.create(account_props(PROD, "ENABLED"))
    staging = p.create(account_props(STAGING, "DISABLED"))
    assert (prod.id, staging.id) == ("111111111111/us-east-1", "222222222222/us-east-1")
    assert (prod.outs or {})["account_id"] == "111111111111"
    assert stored_account(aws_emulator, "111111111111")["DashboardAttributes"] == {
        "EngagementMetrics": "ENABLED"
    }
    assert stored_account(aws_emulator, "222222222222")["DashboardAttributes"] == {
        "EngagementMetrics": "DISABLED"
    }
    assert stored_account(aws_emulator, DEFAULT_ACCOUNT) is None  # untouched
    # Refresh and delete act in the account the resource was created in.
    read = p.read(str(prod.id), prod.outs or {})
    assert read.id == "111111111111/us-east-1"
    p.delete(str(prod.id), prod.outs or {})
    assert stored_account(aws_emulator, "111111111111")["VdmEnabled"] == "DISABLED"
    assert stored_account(aws_emulator, "222222222222")["VdmEnabled"] == "ENABLED"


def test_a_set_is_found_only_in_its_account_and_errors_name_the_account(
    aws_emulator: RunningEmulator,
) -> None:
    aws_emulator.control.seed(
        {"regions": {"us-east-1": {"configuration_sets": [{"ConfigurationSetName": "m"}]}}},
        account_id="111111111111",
    )
    p = ConfigurationSetVdmOptionsProvider()
    props = {
        "__name": "m-vdm",
        "configuration_set_name": "m",
        "dashboard_options": {"engagement_metrics": "ENABLED"},
        "region": "us-east-1",
        "profile": None,
    }
    created = p.create({**props, "assume_role": PROD})
    assert (created.outs or {})["account_id"] == "111111111111"
    with pytest.raises(Exception) as info:
        p.create({**props, "assume_role": STAGING})
    assert str(info.value) == (
        "ConfigurationSetVdmOptions 'm-vdm': configuration set 'm' not found in "
        "222222222222/us-east-1 (NotFoundException)"
    )


def test_denied_role_is_one_line_naming_the_role(aws_emulator: RunningEmulator) -> None:
    denied = {"role_arn": "arn:aws:iam::333333333333:role/denied-ses", "session_name": "vdm"}
    with pytest.raises(Exception) as info:
        AccountVdmAttributesProvider().create(account_props(denied))
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("AccountVdmAttributes 'vdm': GetAccount in 333333333333/us-east-1")
    assert "arn:aws:iam::333333333333:role/denied-ses" in message
    assert "(AccessDenied)" in message


def test_no_sts_secret_reaches_outputs_or_errors(aws_emulator: RunningEmulator) -> None:
    p = AccountVdmAttributesProvider()
    created = p.create(account_props(PROD))
    session = _credentials.session(
        _credentials.AwsTarget(assume_role=_credentials.AssumeRole(PROD_ROLE, "vdm")), "us-east-1"
    )
    frozen = session.get_credentials().get_frozen_credentials()
    secrets = [frozen.access_key, frozen.secret_key, frozen.token]
    assert all(secrets)
    texts = [json.dumps(created.outs), json.dumps(p.read(str(created.id), created.outs or {}).outs)]
    with pytest.raises(Exception) as info:
        p.create({**account_props(PROD), "vdm_enabled": "MAYBE"})  # the API refuses it
    texts.append(str(info.value))
    blob = "\n".join(texts)
    for secret in secrets:
        assert secret not in blob


def test_role_in_another_account_replaces_a_new_session_name_does_not(
    aws_emulator: RunningEmulator,
) -> None:
    p = AccountVdmAttributesProvider()
    outs = p.create(account_props(PROD)).outs or {}
    aws_emulator.control.reset_requests()
    moved = p.diff("111111111111/us-east-1", outs, account_props(STAGING))
    assert moved.replaces == ["assume_role"]
    renamed = p.diff(
        "111111111111/us-east-1", outs, account_props({**PROD, "session_name": "other"})
    )
    assert renamed.changes is True and not renamed.replaces
    same = p.diff("111111111111/us-east-1", outs, account_props(PROD))
    assert same.changes is False
    assert aws_emulator.control.calls() == 0  # a role names its account: no call to diff
    # The session-name change is an update that writes nothing and records the new inputs.
    updated = p.update("111111111111/us-east-1", outs, account_props({**PROD, "session_name": "x"}))
    assert aws_emulator.control.calls() == 0
    assert (updated.outs or {})["__target"]["session_name"] == "x"


def test_stack_assume_roles_config_is_the_default(aws_emulator: RunningEmulator) -> None:
    p = AccountVdmAttributesProvider()
    roles = json.dumps([{"roleArn": STAGING_ROLE, "sessionName": "ci", "duration": "15m"}])
    p.configure(ConfigureRequest(Config({"aws:assumeRoles": roles}, "vdm")))
    created = p.create(account_props(None))
    assert created.id == "222222222222/us-east-1"
    assert stored_account(aws_emulator, "222222222222")["VdmEnabled"] == "ENABLED"
    # The resource's own argument wins over the stack's default.
    assert p.create(account_props(PROD)).id == "111111111111/us-east-1"


@pytest.mark.parametrize(
    ("role", "fragment"),
    [
        ({"role_arn": "arn:aws:iam::12:role/x"}, "is not an IAM role ARN"),
        ({"role_arn": PROD_ROLE, "duration_seconds": 60}, "outside 900..43200 seconds"),
        ({"role_arn": PROD_ROLE, "role": "x"}, "unknown property 'role' in assume_role"),
    ],
)
def test_bad_assume_role_fails_check(role: dict[str, Any], fragment: str) -> None:
    res = AccountVdmAttributesProvider().check({}, account_props(role))
    assert [f.property for f in res.failures] == ["assume_role"]
    assert fragment in res.failures[0].reason


def test_a_role_chain_in_stack_config_fails_check() -> None:
    p = AccountVdmAttributesProvider()
    chain = json.dumps([{"roleArn": PROD_ROLE}, {"roleArn": STAGING_ROLE}])
    p.configure(ConfigureRequest(Config({"aws:assumeRoles": chain}, "vdm")))
    res = p.check({}, account_props(None))
    assert [f.property for f in res.failures] == ["assume_role"]
    assert "2 roles form a chain" in res.failures[0].reason


def test_same_region_in_two_accounts_is_fine_twice_in_one_is_refused() -> None:
    _ownership.reset_claims()
    pulumi.runtime.set_mocks(ComponentMocks(), preview=True)
    try:
        AccountVdmAttributes("prod", vdm_enabled="ENABLED", region="eu-west-1", assume_role=PROD)
        AccountVdmAttributes(
            "staging",
            vdm_enabled="ENABLED",
            region="eu-west-1",
            assume_role=AssumeRoleArgs(role_arn=STAGING_ROLE),
        )
        with pytest.raises(pulumi.RunError, match="of account 111111111111 is already managed"):
            AccountVdmAttributes(
                "prod-again", vdm_enabled="ENABLED", region="eu-west-1", assume_role=PROD
            )
    finally:
        _ownership.reset_claims()


@pytest.mark.parametrize(("name", "role", "count"), [("prod", PROD, 3), ("staging", STAGING, 7)])
def test_components_read_the_account_they_name(
    aws_emulator: RunningEmulator, name: str, role: dict[str, Any], count: int
) -> None:
    aws_emulator.control.generate_recommendations("us-east-1", 3, seed=1, account_id="111111111111")
    aws_emulator.control.generate_recommendations("us-east-1", 7, seed=2, account_id="222222222222")
    seen = run_component(
        lambda: VdmRecommendations(name, region="us-east-1", assume_role=role), ["count"]
    )
    assert seen == {"count": count}


def test_a_profile_names_its_account(
    aws_emulator: RunningEmulator, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shared-config profile that assumes a role (botocore's own ``role_arn`` +
    ``source_profile``): its account is found once with GetCallerIdentity."""
    config = tmp_path / "config"
    config.write_text(
        "[profile base]\n"
        "aws_access_key_id = testing\n"
        "aws_secret_access_key = testing\n"
        "[profile staging]\n"
        f"role_arn = {STAGING_ROLE}\n"
        "source_profile = base\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    _credentials.reset()
    p = AccountVdmAttributesProvider()
    created = p.create({**account_props(None), "profile": "staging"})
    assert created.id == "222222222222/us-east-1"
    assert stored_account(aws_emulator, "222222222222")["VdmEnabled"] == "ENABLED"
    calls = aws_emulator.control.requests()["sts"]["calls"]
    assert calls.get("GetCallerIdentity") == 1, calls
