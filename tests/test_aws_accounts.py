"""Calls that name their account (issue 14, the client side), over HTTP against the emulator.

The emulator serves STS at its address (``AWS_ENDPOINT_URL_STS``) with moto's multi-account
model: credentials from ``AssumeRole`` act in the role's account, with its own SESv2 state,
its own rate-limit buckets and its own request-log entries. Roles named ``denied*`` refuse, and
issued credentials can be given a short life, after which the emulator refuses them as AWS does.
"""

from __future__ import annotations

import pickle
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from vdm_resources import _aws, _credentials
from vdm_resources._aws import AssumeRole, AwsTarget
from vdm_resources.emulator.testing import RunningEmulator, error_details
from vdm_resources.errors import VdmApiError, VdmNotFoundError, VdmThrottledError

PROD = AwsTarget(assume_role=AssumeRole("arn:aws:iam::111111111111:role/ses-admin", "vdm"))
STAGING = AwsTarget(assume_role=AssumeRole("arn:aws:iam::222222222222:role/ses-admin", "vdm"))
DEFAULT_ACCOUNT = "123456789012"


def put_account(target: AwsTarget, dashboard: str) -> None:
    attrs = {"VdmEnabled": "ENABLED", "DashboardAttributes": {"EngagementMetrics": dashboard}}
    _aws.call(
        "PutAccountVdmAttributes", "us-east-1", {"VdmAttributes": attrs}, context="c", target=target
    )


def vdm_of(target: AwsTarget | None) -> Any:
    return _aws.call("GetAccount", "us-east-1", context="c", target=target).get("VdmAttributes")


def test_two_accounts_each_hold_only_their_own_settings(aws_emulator: RunningEmulator) -> None:
    put_account(PROD, "ENABLED")
    put_account(STAGING, "DISABLED")
    assert vdm_of(PROD)["DashboardAttributes"] == {"EngagementMetrics": "ENABLED"}
    assert vdm_of(STAGING)["DashboardAttributes"] == {"EngagementMetrics": "DISABLED"}
    assert vdm_of(None) is None  # the default credentials' account was never configured
    # The emulator's own view, per account.
    for account, dashboard in (("111111111111", "ENABLED"), ("222222222222", "DISABLED")):
        region = aws_emulator.control.state(account_id=account)["regions"]["us-east-1"]
        assert region["vdm_attributes"]["DashboardAttributes"]["EngagementMetrics"] == dashboard
    accounts = {e["account"] for e in aws_emulator.control.requests()["log"]}
    assert accounts == {"111111111111", "222222222222", DEFAULT_ACCOUNT}
    # One AssumeRole per role: the credentials are cached, not fetched per call.
    assert aws_emulator.control.requests()["sts"]["calls"] == {"AssumeRole": 2}


def test_a_set_in_one_account_is_not_found_in_another(aws_emulator: RunningEmulator) -> None:
    aws_emulator.control.seed(
        {"regions": {"us-east-1": {"configuration_sets": [{"ConfigurationSetName": "m"}]}}},
        account_id="111111111111",
    )
    params = {"ConfigurationSetName": "m"}
    assert _aws.call("GetConfigurationSet", "us-east-1", params, context="c", target=PROD)
    with pytest.raises(VdmNotFoundError):
        _aws.call("GetConfigurationSet", "us-east-1", params, context="c", target=STAGING)


def test_errors_name_the_account(aws_emulator: RunningEmulator) -> None:
    with pytest.raises(VdmApiError) as info:
        _aws.call(
            "PutAccountVdmAttributes",
            "eu-west-1",
            {"VdmAttributes": {"VdmEnabled": "ON"}},
            context="AccountVdmAttributes 'prod-vdm'",
            target=PROD,
        )
    assert str(info.value).startswith(
        "AccountVdmAttributes 'prod-vdm': PutAccountVdmAttributes in 111111111111/eu-west-1 "
        "failed: "
    ), str(info.value)


def test_access_denied_is_one_line_naming_the_role(aws_emulator: RunningEmulator) -> None:
    denied = AwsTarget(assume_role=AssumeRole("arn:aws:iam::333333333333:role/denied-ses"))
    with pytest.raises(VdmApiError) as info:
        _aws.call("GetAccount", "eu-west-1", context="c", target=denied)
    assert str(info.value) == (
        "c: GetAccount in 333333333333/eu-west-1 not sent: AssumeRole of role "
        "arn:aws:iam::333333333333:role/denied-ses (session 'vdm-resources') failed: the "
        "credentials in use may not assume it (check the role's trust policy, the caller's "
        "sts:AssumeRole permission and the external id) (AccessDenied)"
    )
    assert info.value.code == "AccessDenied"
    log = aws_emulator.control.requests()
    assert log["total"] == 0  # nothing reached SESv2
    assert log["sts"]["statuses"]["AssumeRole"] == {"403": 1}


def test_expired_credentials_are_refreshed(
    aws_emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issued credentials live 3 s; refresh from 1.5 s before expiry (AWS's real floor is
    # 15 minutes, botocore's windows 15 and 10 minutes: the same rule, shrunk).
    aws_emulator.control.set_sts_duration_seconds(3)
    monkeypatch.setattr(_credentials.RoleCredentials, "_advisory_refresh_timeout", 1.5)
    monkeypatch.setattr(_credentials.RoleCredentials, "_mandatory_refresh_timeout", 1.0)
    _aws.reset_clients()
    # The emulator does refuse credentials once they expire, so a client that kept them fails.
    stale = aws_emulator.assume_role("arn:aws:iam::111111111111:role/ses-admin")
    vdm_of(PROD)
    vdm_of(PROD)
    assert aws_emulator.control.requests()["sts"]["calls"]["AssumeRole"] == 2  # ours + stale
    time.sleep(3.2)
    with pytest.raises(Exception) as refused:
        aws_emulator.boto3_client(credentials=stale).get_account()
    assert error_details(refused.value)[0] == "ExpiredTokenException"
    vdm_of(PROD)  # past the first credentials' expiry: refreshed, not refused
    log = aws_emulator.control.requests()
    assert log["sts"]["calls"]["AssumeRole"] == 3
    assert log["statuses"]["GetAccount"] == {"200": 3, "403": 1}  # the 403 is the stale client's


def test_pacing_is_per_account(
    aws_emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two accounts at 1 call/s each (both sides at 4x: 4 calls/s) finish in the time of one:
    the emulator's buckets are per account, and so are the pacers."""
    monkeypatch.setenv(_aws.RATE_SCALE_ENV, "4")
    _aws.reset_clients()
    aws_emulator.control.set_rate_limits(enabled=True, scale=4.0)
    vdm_of(PROD), vdm_of(STAGING)  # credentials fetched before the measured calls
    aws_emulator.control.reset_requests()
    calls = 8

    def run(target: AwsTarget) -> None:
        for _ in range(calls):
            vdm_of(target)

    threads = [threading.Thread(target=run, args=(t,)) for t in (PROD, STAGING)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    entries = [e for e in aws_emulator.control.requests()["log"] if e["status"] == 200]
    times = {
        account: sorted(e["time"] for e in entries if e["account"] == account)
        for account in ("111111111111", "222222222222")
    }
    interval = 1 / 4
    for account, stamps in times.items():
        assert len(stamps) == calls, account
    # Across accounts, at the same time: 16 calls in about the time of 8, not of 16.
    everything = sorted(times["111111111111"] + times["222222222222"])
    assert everything[-1] - everything[0] < (calls + 2) * interval, everything


def test_no_secret_from_sts_in_messages(
    aws_emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    secretive = AwsTarget(
        assume_role=AssumeRole(
            "arn:aws:iam::111111111111:role/ses-admin", "vdm", external_id="ext-7f3a9c"
        )
    )
    vdm_of(secretive)
    issued = _credentials.session(secretive, "us-east-1").get_credentials()
    assert issued is not None
    frozen = issued.get_frozen_credentials()
    secrets = [frozen.access_key, frozen.secret_key, frozen.token, "ext-7f3a9c"]
    assert all(secrets)
    texts = [repr(secretive), secretive.describe()]
    failing: list[tuple[str, dict[str, Any] | None]] = [
        ("PutAccountVdmAttributes", {"VdmAttributes": {"VdmEnabled": "ON"}}),
        ("GetConfigurationSet", {"ConfigurationSetName": "nope"}),
        ("GetAccount", None),
    ]
    monkeypatch.setenv(_aws.THROTTLE_BUDGET_ENV, "0")
    aws_emulator.control.add_fault("GetAccount", "throttle", count=1)
    for operation, params in failing:
        with pytest.raises((VdmApiError, VdmNotFoundError, VdmThrottledError)) as info:
            _aws.call(operation, "us-east-1", params, context="c", target=secretive)
        texts += [str(info.value), repr(info.value), str(info.value.__cause__)]
    denied = AwsTarget(assume_role=AssumeRole("arn:aws:iam::333333333333:role/denied-x"))
    with pytest.raises(VdmApiError) as refused:
        _aws.call("GetAccount", "us-east-1", context="c", target=denied)
    texts.append(str(refused.value))
    for text in texts:
        for secret in secrets:
            assert secret not in text, text


def test_targets_are_plain_hashable_values() -> None:
    """A provider may carry a target (Pulumi pickles providers): it holds no secret and no
    session, and equal specs share clients and pacers."""
    again = AwsTarget(assume_role=AssumeRole("arn:aws:iam::111111111111:role/ses-admin", "vdm"))
    assert again == PROD and hash(again) == hash(PROD)
    assert pickle.loads(pickle.dumps(PROD)) == PROD
    assert len(pickle.dumps(PROD)) < 400
    assert PROD.assume_role is not None and PROD.assume_role.account_id == "111111111111"
    assert _credentials.role_arn_problem("arn:aws:iam::1234:role/x") is not None
    assert _credentials.role_arn_problem("arn:aws-cn:iam::111111111111:role/path/x") is None


def test_a_named_profile_acts_in_its_account(
    aws_emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    credentials = tmp_path / "credentials"
    credentials.write_text(
        "[marketing]\naws_access_key_id = testing\naws_secret_access_key = testing\n"
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    _aws.reset_clients()
    marketing = AwsTarget(profile="marketing")
    with pytest.raises(VdmApiError, match=r"^c: PutAccountVdmAttributes in 123456789012/us-east-1"):
        _aws.call(
            "PutAccountVdmAttributes",
            "us-east-1",
            {"VdmAttributes": {"VdmEnabled": "ON"}},
            context="c",
            target=marketing,
        )
    assert aws_emulator.control.requests()["sts"]["calls"] == {"GetCallerIdentity": 1}
    with pytest.raises(VdmApiError, match=r"not sent: .*could not be found \(ProfileNotFound\)"):
        _aws.call("GetAccount", "us-east-1", context="c", target=AwsTarget(profile="nope"))
