"""A steady "other client" load on an operation, sharing the bucket with real calls.

No timing is asserted: the tests use a rate limit so low (scale 0.01: one token per 100 s,
bucket of one) that once the outside load took the one token, every later call of that
(account, region, operation) is refused for the rest of the test, whatever the machine's speed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from vdm_resources.emulator.client import ControlError
from vdm_resources.emulator.testing import RunningEmulator, error_details

OPERATION = "PutConfigurationSetVdmOptions"


def wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    """Poll until ``condition`` holds; the timeout only bounds a broken emulator."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.02)


def outside(emulator: RunningEmulator) -> dict[str, Any]:
    return dict(emulator.control.requests()["outside"])


@pytest.fixture
def starved(emulator: RunningEmulator) -> RunningEmulator:
    """A set to write, limits at 1/100 of AWS's, and an outside load that took the token."""
    emulator.control.seed(
        {"regions": {"us-east-1": {"configuration_sets": [{"ConfigurationSetName": "cs"}]}}}
    )
    emulator.control.set_rate_limits(enabled=True, scale=0.01)
    emulator.control.start_load(OPERATION, rate=20.0, region="us-east-1")
    wait_for(lambda: outside(emulator)["calls"].get(OPERATION, 0) >= 3)
    return emulator


def put(client: Any) -> str:
    try:
        client.put_configuration_set_vdm_options(ConfigurationSetName="cs")
    except ClientError as exc:
        code, status, _ = error_details(exc)
        assert status == 429
        return code
    return "ok"


def test_outside_load_shares_the_bucket_and_is_counted_apart(starved: RunningEmulator) -> None:
    client = starved.boto3_client()
    assert [put(client) for _ in range(3)] == ["TooManyRequestsException"] * 3
    log = starved.control.requests()
    # Our calls: counted as always, and only ours.
    assert log["calls"] == {OPERATION: 3}
    assert log["throttled"] == {OPERATION: 3}
    assert [e["outcome"] for e in log["log"]] == ["throttled"] * 3
    # The other client's: its first call took the only token, every later one was refused.
    other = log["outside"]
    assert other["calls"][OPERATION] >= 3
    assert other["throttled"][OPERATION] == other["calls"][OPERATION] - 1
    [load] = starved.control.loads()
    assert (load["operation"], load["rate"], load["region"]) == (OPERATION, 20.0, "us-east-1")
    assert load["calls"] >= 3 and load["throttled"] == load["calls"] - 1


def test_other_regions_and_operations_keep_their_own_buckets(starved: RunningEmulator) -> None:
    west = starved.boto3_client("eu-west-1")
    starved.control.seed(
        {"regions": {"eu-west-1": {"configuration_sets": [{"ConfigurationSetName": "cs"}]}}}
    )
    assert put(west) == "ok"
    starved.boto3_client().get_configuration_set(ConfigurationSetName="cs")
    assert starved.control.requests()["throttled"] == {}


def test_stop_ends_the_load_and_reset_too(starved: RunningEmulator) -> None:
    starved.control.stop_load()
    assert starved.control.loads() == []
    stopped = outside(starved)["calls"][OPERATION]
    time.sleep(0.3)  # six more calls at 20/s if the load were still running
    assert outside(starved)["calls"][OPERATION] == stopped
    starved.control.start_load(OPERATION, rate=20.0)
    wait_for(lambda: outside(starved)["calls"][OPERATION] > stopped)
    starved.control.reset()
    assert starved.control.loads() == []
    after_reset = outside(starved)["calls"][OPERATION]
    time.sleep(0.3)
    assert outside(starved)["calls"][OPERATION] == after_reset


def test_reset_requests_clears_outside_counts(starved: RunningEmulator) -> None:
    starved.control.stop_load()
    starved.control.reset_requests()
    assert outside(starved) == {"calls": {}, "throttled": {}}


def test_without_rate_limits_the_outside_load_is_never_throttled(
    emulator: RunningEmulator,
) -> None:
    emulator.control.start_load("ListRecommendations", rate=50.0)
    wait_for(lambda: outside(emulator)["calls"].get("ListRecommendations", 0) >= 5)
    emulator.control.stop_load()
    assert outside(emulator)["throttled"] == {}


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ({"operation": "PutConfigurationSetVdmOption", "rate": 1.0}, "operation"),
        ({"operation": OPERATION, "rate": 0}, "rate"),
        ({"operation": OPERATION, "rate": -1}, "rate"),
        ({"operation": OPERATION, "rate": True}, "rate"),
        ({"operation": OPERATION, "rate": 1.0, "region": ""}, "region"),
        ({"operation": OPERATION, "rate": 1.0, "account_id": "12"}, "account_id"),
    ],
)
def test_bad_load_specs_are_refused(
    emulator: RunningEmulator, spec: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(ControlError) as exc:
        emulator.control.start_load(**spec)
    assert exc.value.status == 400
    assert fragment in exc.value.message
    assert emulator.control.loads() == []
