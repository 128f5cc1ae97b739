"""The request log counts exactly and never holds credentials."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from vdm_resources.emulator.testing import RunningEmulator


@pytest.mark.parametrize("k", [1, 7])
def test_k_calls_are_counted_as_k(emulator: RunningEmulator, sesv2: Any, k: int) -> None:
    for _ in range(k):
        sesv2.get_account()
    for _ in range(k):
        sesv2.list_recommendations(PageSize=1)
    log = emulator.control.requests()
    assert log["calls"] == {"GetAccount": k, "ListRecommendations": k}
    assert log["total"] == 2 * k
    assert len(log["log"]) == 2 * k
    assert log["throttled"] == {} and log["faulted"] == {}


def test_rejected_calls_are_counted_with_their_status(
    emulator: RunningEmulator, sesv2: Any, sesv2_raw: Any
) -> None:
    with pytest.raises(ClientError):
        sesv2_raw.put_account_vdm_attributes(VdmAttributes={"VdmEnabled": "nope"})
    with pytest.raises(ClientError):
        sesv2.get_configuration_set(ConfigurationSetName="missing")
    sesv2.create_configuration_set(ConfigurationSetName="present")
    log = emulator.control.requests()
    assert log["statuses"] == {
        "PutAccountVdmAttributes": {"400": 1},
        "GetConfigurationSet": {"404": 1},
        "CreateConfigurationSet": {"200": 1},
    }
    assert [e["outcome"] for e in log["log"]] == ["error", "error", "ok"]


def test_control_calls_are_not_counted(emulator: RunningEmulator) -> None:
    emulator.control.health()
    emulator.control.state()
    emulator.control.rate_limits()
    assert emulator.control.requests()["total"] == 0


def test_reset_clears_counts(emulator: RunningEmulator, sesv2: Any) -> None:
    sesv2.get_account()
    emulator.control.reset_requests()
    assert emulator.control.requests() == {
        "total": 0,
        "calls": {},
        "throttled": {},
        "faulted": {},
        "statuses": {},
        "accounts": {},
        "sts": {"calls": {}, "statuses": {}},
        "outside": {"calls": {}, "throttled": {}},
        "log": [],
    }


def test_unknown_paths_are_counted_as_unknown(emulator: RunningEmulator) -> None:
    status, _, body = emulator.raw_request("GET", "/v2/email/no-such-thing")
    assert status == 404
    assert body["__type"] == "UnknownOperationException"
    assert emulator.control.requests()["calls"] == {"UnknownOperation": 1}


def test_log_entries_hold_no_credentials(emulator: RunningEmulator) -> None:
    access_key = "AKIAVDMEMULATORTEST1"
    secret = "s3cr3t-never-logged-anywhere"
    client = boto3.session.Session(
        aws_access_key_id=access_key, aws_secret_access_key=secret, region_name="ap-south-1"
    ).client(
        "sesv2",
        endpoint_url=emulator.url,
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )
    client.put_account_vdm_attributes(VdmAttributes={"VdmEnabled": "ENABLED"})
    client.get_account()
    with pytest.raises(ClientError):
        client.get_configuration_set(ConfigurationSetName="missing")
    log = emulator.control.requests()
    assert {tuple(sorted(e)) for e in log["log"]} == {
        ("account", "operation", "outcome", "region", "service", "status", "time")
    }
    assert {e["region"] for e in log["log"]} == {"ap-south-1"}
    everything = json.dumps([log, emulator.control.state(), emulator.control.health()])
    everything += emulator.log_path.read_text()
    if emulator.state_file is not None:
        everything += emulator.state_file.read_text()
    for needle in (access_key, secret, "Credential=", "Signature="):
        assert needle not in everything


def test_concurrent_calls_are_all_counted(emulator: RunningEmulator, sesv2: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def work(_: int) -> None:
        for _ in range(10):
            sesv2.get_account()

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(work, range(6)))
    log = emulator.control.requests()
    assert log["calls"] == {"GetAccount": 60}
    assert log["statuses"] == {"GetAccount": {"200": 60}}
