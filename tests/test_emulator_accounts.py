"""STS at the emulator's address and SESv2 state per account, over HTTP with boto3.

Credentials from AssumeRole act in the role's account; the dummy static keys act in the
default account 123456789012. Expiry is tested without timing the success path: credentials
capped to one second are only ever used after their reported expiry has passed.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from vdm_resources.emulator.client import ControlError
from vdm_resources.emulator.testing import RunningEmulator, error_details, start_emulator

DEFAULT = "123456789012"
PROD, STAGING = "111111111111", "222222222222"
PROD_ROLE = f"arn:aws:iam::{PROD}:role/ses-admin"
STAGING_ROLE = f"arn:aws:iam::{STAGING}:role/ses-admin"
ON = {"VdmEnabled": "ENABLED"}
ENGAGEMENT = {"DashboardOptions": {"EngagementMetrics": "ENABLED"}}


def test_get_caller_identity_with_the_static_keys(emulator: RunningEmulator) -> None:
    identity = emulator.sts_client().get_caller_identity()
    assert identity["Account"] == DEFAULT


def test_assumed_role_acts_in_the_roles_account(emulator: RunningEmulator) -> None:
    creds = emulator.assume_role(PROD_ROLE, "vdm")
    assert creds["AccessKeyId"].startswith("ASIA")
    identity = emulator.sts_client(credentials=creds).get_caller_identity()
    assert identity["Account"] == PROD
    assert identity["Arn"] == f"arn:aws:sts::{PROD}:assumed-role/ses-admin/vdm"
    prod = emulator.boto3_client(credentials=creds)
    prod.put_account_vdm_attributes(VdmAttributes=ON)
    assert prod.get_account()["VdmAttributes"]["VdmEnabled"] == "ENABLED"
    # The default account is unchanged.
    assert "VdmAttributes" not in emulator.boto3_client().get_account()
    log = emulator.control.requests()
    assert [(e["operation"], e["account"]) for e in log["log"] if e["service"] == "sesv2"] == [
        ("PutAccountVdmAttributes", PROD),
        ("GetAccount", PROD),
        ("GetAccount", DEFAULT),
    ]
    assert log["accounts"][PROD]["calls"] == {"PutAccountVdmAttributes": 1, "GetAccount": 1}
    assert log["accounts"][DEFAULT]["calls"] == {"GetAccount": 1}
    # STS calls are logged as STS, apart from the SESv2 counters.
    assert log["sts"]["calls"] == {"AssumeRole": 1, "GetCallerIdentity": 1}
    assert log["total"] == 3


def test_two_accounts_are_isolated(emulator: RunningEmulator) -> None:
    prod = emulator.boto3_client(credentials=emulator.assume_role(PROD_ROLE))
    staging = emulator.boto3_client(credentials=emulator.assume_role(STAGING_ROLE))
    prod.create_configuration_set(ConfigurationSetName="marketing", VdmOptions=ENGAGEMENT)
    staging.create_configuration_set(ConfigurationSetName="marketing")
    staging.create_configuration_set(ConfigurationSetName="staging-only")
    assert prod.list_configuration_sets()["ConfigurationSets"] == ["marketing"]
    assert sorted(staging.list_configuration_sets()["ConfigurationSets"]) == [
        "marketing",
        "staging-only",
    ]
    assert emulator.boto3_client().list_configuration_sets()["ConfigurationSets"] == []
    got = prod.get_configuration_set(ConfigurationSetName="marketing")
    assert got["VdmOptions"] == ENGAGEMENT
    assert "VdmOptions" not in staging.get_configuration_set(ConfigurationSetName="marketing")
    # The control endpoint sees each account apart.
    prod_state = emulator.control.state(account_id=PROD)
    assert prod_state["account_id"] == PROD
    assert [
        s["ConfigurationSetName"] for s in prod_state["regions"]["us-east-1"]["configuration_sets"]
    ] == ["marketing"]
    everything = emulator.control.state()
    assert set(everything["accounts"]) == {PROD, STAGING}
    assert (
        everything["accounts"][STAGING]["regions"]["us-east-1"]["configuration_sets"][1][
            "ConfigurationSetName"
        ]
        == "staging-only"
    )


def test_rate_limits_are_per_account(emulator: RunningEmulator) -> None:
    prod = emulator.boto3_client(credentials=emulator.assume_role(PROD_ROLE))
    default = emulator.boto3_client()
    emulator.control.set_rate_limits(enabled=True, scale=0.01)  # one call per 100 s
    default.get_account()
    with pytest.raises(ClientError) as exc:
        default.get_account()
    assert error_details(exc.value)[:2] == ("TooManyRequestsException", 429)
    prod.get_account()  # its own bucket
    log = emulator.control.requests()
    assert log["accounts"][DEFAULT]["throttled"] == {"GetAccount": 1}
    assert log["accounts"][PROD]["throttled"] == {}


def test_seed_state_and_control_per_account(emulator: RunningEmulator) -> None:
    emulator.control.seed(
        {
            "regions": {"us-east-1": {"configuration_sets": [{"ConfigurationSetName": "base"}]}},
            "accounts": {
                PROD: {"regions": {"eu-west-1": {"vdm_attributes": ON}}},
            },
        }
    )
    emulator.control.set_account_vdm_attributes("us-east-1", ON, account_id=STAGING)
    emulator.control.generate_recommendations("eu-west-1", 2, seed=1, account_id=PROD)
    prod = emulator.boto3_client("eu-west-1", credentials=emulator.assume_role(PROD_ROLE))
    assert prod.get_account()["VdmAttributes"]["VdmEnabled"] == "ENABLED"
    arns = [r["ResourceArn"] for r in prod.list_recommendations()["Recommendations"]]
    assert len(arns) == 2 and all(f":{PROD}:" in arn for arn in arns)
    staging = emulator.boto3_client(credentials=emulator.assume_role(STAGING_ROLE))
    assert staging.get_account()["VdmAttributes"]["VdmEnabled"] == "ENABLED"
    assert "VdmAttributes" not in emulator.boto3_client().get_account()
    assert emulator.boto3_client().list_configuration_sets()["ConfigurationSets"] == ["base"]
    # A whole state document is a seed again; one account's state seeds that account.
    everything = emulator.control.state()
    emulator.control.reset()
    emulator.control.seed(everything)
    assert emulator.control.state() == everything
    emulator.control.reset()
    emulator.control.seed(everything["accounts"][PROD], account_id=STAGING)
    assert (
        emulator.control.state(account_id=STAGING)["regions"]["eu-west-1"]["vdm_attributes"] == ON
    )


@pytest.mark.parametrize(
    "doc",
    [
        {"accounts": {"12345": {"regions": {}}}},
        {"accounts": {PROD: {"regions": {"us-east-1": {"vdm_attributes": {"VdmEnabled": "x"}}}}}},
        {"accounts": {PROD: {"regions": {}, "extra": 1}}},
        {"accounts": [PROD]},
    ],
)
def test_bad_account_seeds_are_refused_whole(
    emulator: RunningEmulator, doc: dict[str, Any]
) -> None:
    with pytest.raises(ControlError) as exc:
        emulator.control.seed({"regions": {"us-east-1": {"vdm_attributes": ON}}, **doc})
    assert exc.value.status == 400
    assert "accounts" in exc.value.message
    assert "VdmAttributes" not in emulator.boto3_client().get_account()  # nothing applied


def test_bad_account_id_on_the_control_endpoint(emulator: RunningEmulator) -> None:
    with pytest.raises(ControlError) as exc:
        emulator.control.state(account_id="nope")
    assert exc.value.status == 400 and "account_id" in exc.value.message


@pytest.mark.parametrize("role", ["arn:aws:iam::111111111111:role/denied-ses", "listed"])
def test_denied_roles_answer_access_denied(emulator: RunningEmulator, role: str) -> None:
    if role == "listed":
        role = PROD_ROLE
        emulator.control.set_denied_roles([PROD_ROLE])
    with pytest.raises(ClientError) as exc:
        emulator.sts_client().assume_role(RoleArn=role, RoleSessionName="vdm")
    code, status, message = error_details(exc.value)
    assert (code, status) == ("AccessDenied", 403)
    assert message == (
        f"User: arn:aws:sts::{DEFAULT}:user/moto is not authorized to perform: "
        f"sts:AssumeRole on resource: {role}"
    )
    assert emulator.control.requests()["sts"]["statuses"] == {"AssumeRole": {"403": 1}}


def test_denied_roles_reset_and_validation(emulator: RunningEmulator) -> None:
    emulator.control.set_denied_roles([PROD_ROLE])
    assert emulator.control.settings()["sts_denied_roles"] == [PROD_ROLE]
    emulator.control.reset()
    assert emulator.control.settings()["sts_denied_roles"] == []
    emulator.assume_role(PROD_ROLE)
    for bad in (["ses-admin"], "arn:aws:iam::111111111111:role/x"):
        with pytest.raises(ControlError) as exc:
            emulator.control.set_settings(sts_denied_roles=bad)
        assert exc.value.status == 400 and "sts_denied_roles" in exc.value.message
    with pytest.raises(ControlError) as exc:
        emulator.control.set_sts_duration_seconds(0)
    assert exc.value.status == 400 and "sts_duration_seconds" in exc.value.message


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"RoleArn": PROD_ROLE, "RoleSessionName": "vdm", "DurationSeconds": 899}, "900"),
        ({"RoleArn": PROD_ROLE, "RoleSessionName": "vdm", "DurationSeconds": 43201}, "43200"),
        ({"RoleArn": "ses-admin", "RoleSessionName": "vdm"}, "roleArn"),
    ],
)
def test_assume_role_validation(
    emulator: RunningEmulator, kwargs: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(ClientError) as exc:
        emulator.sts_client(validate_params=False).assume_role(**kwargs)
    code, status, message = error_details(exc.value)
    assert (code, status) == ("ValidationError", 400)
    assert fragment in message


def wait_until(moment: datetime) -> None:
    while datetime.now(timezone.utc) <= moment:
        time.sleep(0.05)


def test_capped_credentials_expire_and_are_refused(emulator: RunningEmulator) -> None:
    emulator.control.set_sts_duration_seconds(1)
    short = emulator.assume_role(PROD_ROLE, duration_seconds=900)
    emulator.control.set_sts_duration_seconds(None)
    long = emulator.assume_role(PROD_ROLE, duration_seconds=900)
    assert short["Expiration"] < long["Expiration"]
    assert (short["Expiration"] - datetime.now(timezone.utc)).total_seconds() <= 1.5
    wait_until(short["Expiration"])
    time.sleep(0.1)  # the expiry is kept to the microsecond, the reported one to the second
    for call in (
        lambda: emulator.boto3_client(credentials=short).get_account(),
        lambda: emulator.sts_client(credentials=short).get_caller_identity(),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        code, status, message = error_details(exc.value)
        assert code in ("ExpiredTokenException", "ExpiredToken")
        assert (status, message) == (403, "The security token included in the request is expired")
    # Fresh credentials for the same role work (refresh), in the same account.
    emulator.boto3_client(credentials=long).put_account_vdm_attributes(VdmAttributes=ON)
    assert emulator.control.state(account_id=PROD)["regions"]["us-east-1"]["vdm_attributes"] == ON
    outcomes = [(e["service"], e["outcome"]) for e in emulator.control.requests()["log"]]
    assert outcomes == [
        ("sts", "ok"),
        ("sts", "ok"),
        ("sesv2", "expired"),
        ("sts", "expired"),
        ("sesv2", "ok"),
    ]


def test_wrong_or_missing_session_token_is_refused(emulator: RunningEmulator) -> None:
    first = emulator.assume_role(PROD_ROLE)
    second = emulator.assume_role(PROD_ROLE)
    mixed = dict(first, SessionToken=second["SessionToken"])
    unknown = dict(first, AccessKeyId="ASIAUNKNOWNKEY000000")
    for creds in (mixed, unknown):
        with pytest.raises(ClientError) as exc:
            emulator.boto3_client(credentials=creds).get_account()
        code, status, message = error_details(exc.value)
        assert (code, status) == ("UnrecognizedClientException", 403)
        assert message == "The security token included in the request is invalid."


def test_boto3_reaches_sts_through_aws_endpoint_url_sts(
    emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in emulator.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    sts = boto3.session.Session().client("sts")
    assert sts.meta.endpoint_url == emulator.url
    assert sts.assume_role(RoleArn=PROD_ROLE, RoleSessionName="vdm")["Credentials"]


def test_secrets_never_leave_the_emulator(emulator: RunningEmulator) -> None:
    creds = emulator.assume_role(PROD_ROLE)
    emulator.boto3_client(credentials=creds).get_account()
    with pytest.raises(ClientError):
        emulator.boto3_client(credentials=dict(creds, SessionToken="x" * 40)).get_account()
    everything = json.dumps(
        [
            emulator.control.requests(),
            emulator.control.state(),
            emulator.control.health(),
            emulator.control.settings(),
        ]
    )
    everything += emulator.log_path.read_text()
    if emulator.state_file is not None:
        everything += emulator.state_file.read_text()
    for secret in (creds["SecretAccessKey"], creds["SessionToken"], "x" * 40):
        assert secret not in everything


@pytest.mark.slow
def test_accounts_survive_a_restart_and_old_state_files_load(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with start_emulator(state_file=state, rate_limits=False, sts_duration_seconds=5) as emu:
        assert emu.control.settings()["sts_duration_seconds"] == 5
        prod = emu.boto3_client(credentials=emu.assume_role(PROD_ROLE))
        prod.create_configuration_set(ConfigurationSetName="prod-set")
        emu.boto3_client().create_configuration_set(ConfigurationSetName="default-set")
    with start_emulator(state_file=state, rate_limits=False) as emu:
        prod = emu.boto3_client(credentials=emu.assume_role(PROD_ROLE))
        assert prod.list_configuration_sets()["ConfigurationSets"] == ["prod-set"]
        assert emu.boto3_client().list_configuration_sets()["ConfigurationSets"] == ["default-set"]
    # A version-1 state file (one account, no "accounts") still loads into the default account.
    state.write_text(
        json.dumps(
            {
                "version": 1,
                "account_id": DEFAULT,
                "regions": {"us-east-1": {"configuration_sets": [{"ConfigurationSetName": "v1"}]}},
            }
        )
    )
    with start_emulator(state_file=state, rate_limits=False) as emu:
        assert emu.boto3_client().list_configuration_sets()["ConfigurationSets"] == ["v1"]
