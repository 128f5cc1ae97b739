"""Rate limiting over HTTP, asserted by counting 429s, never by timing.

A token bucket of one second's worth that starts full lets through at most
``capacity + elapsed * rate`` calls in a burst that took ``elapsed`` seconds, and at least
``capacity`` of them; every test checks that window, so a slow machine only widens it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from vdm_resources.emulator.ratelimit import RateLimiter
from vdm_resources.emulator.testing import RunningEmulator, error_details


def burst(call: Callable[[], Any], n: int) -> tuple[int, int, float]:
    """(successes, throttled, elapsed seconds) of ``n`` back-to-back calls."""
    ok = throttled = 0
    started = time.monotonic()
    for _ in range(n):
        try:
            call()
            ok += 1
        except ClientError as exc:
            code, status, message = error_details(exc)
            assert (code, status, message) == ("TooManyRequestsException", 429, "Rate exceeded")
            throttled += 1
    return ok, throttled, time.monotonic() - started


def assert_within_bucket(ok: int, capacity: float, rate: float, elapsed: float) -> None:
    assert ok >= capacity
    assert ok <= math.floor(capacity + elapsed * rate + 1e-9)


def enable(emulator: RunningEmulator, scale: float = 1.0) -> None:
    emulator.control.set_rate_limits(enabled=True, scale=scale)


def test_management_calls_are_one_per_second(emulator: RunningEmulator, sesv2: Any) -> None:
    enable(emulator)
    ok, throttled, elapsed = burst(sesv2.get_account, 5)
    assert_within_bucket(ok, 1, 1.0, elapsed)
    log = emulator.control.requests()
    assert log["calls"]["GetAccount"] == 5
    assert log["throttled"]["GetAccount"] == throttled == 5 - ok
    assert log["statuses"]["GetAccount"] == {"200": ok, "429": throttled}


@pytest.mark.parametrize(
    ("operation", "make_call"),
    [
        (
            "PutAccountVdmAttributes",
            lambda c: lambda: c.put_account_vdm_attributes(VdmAttributes={"VdmEnabled": "ENABLED"}),
        ),
        (
            "PutConfigurationSetVdmOptions",
            lambda c: lambda: c.put_configuration_set_vdm_options(ConfigurationSetName="rl"),
        ),
        ("ListRecommendations", lambda c: c.list_recommendations),
        (
            "GetConfigurationSet",
            lambda c: lambda: c.get_configuration_set(ConfigurationSetName="rl"),
        ),
    ],
)
def test_each_vdm_operation_is_limited_separately(
    emulator: RunningEmulator, sesv2: Any, operation: str, make_call: Any
) -> None:
    emulator.control.seed(
        {"regions": {"us-east-1": {"configuration_sets": [{"ConfigurationSetName": "rl"}]}}}
    )
    enable(emulator)
    sesv2.get_account()  # another operation's bucket: must not affect this one
    ok, throttled, elapsed = burst(make_call(sesv2), 4)
    assert_within_bucket(ok, 1, 1.0, elapsed)
    assert emulator.control.requests()["throttled"].get(operation, 0) == throttled


def test_buckets_are_per_region(emulator: RunningEmulator) -> None:
    enable(emulator)
    east = emulator.boto3_client("us-east-1")
    west = emulator.boto3_client("us-west-2")
    ok_east, _, elapsed = burst(east.list_recommendations, 3)
    ok_west, _, elapsed_west = burst(west.list_recommendations, 3)
    assert_within_bucket(ok_east, 1, 1.0, elapsed)
    assert_within_bucket(ok_west, 1, 1.0, elapsed_west)


def test_batch_get_metric_data_allows_sixteen_per_second(
    emulator: RunningEmulator, sesv2: Any
) -> None:
    enable(emulator)
    queries = [
        {
            "Id": f"q{i}",
            "Namespace": "VDM",
            "Metric": "SEND",
            "Dimensions": {"ISP": "x"},
            "StartDate": 0,
            "EndDate": 86400,
        }
        for i in range(10)
    ]
    ok, throttled, elapsed = burst(lambda: sesv2.batch_get_metric_data(Queries=queries), 24)
    # 16 calls/s and 160 queries/s: with 10 queries per call both allow 16 per second.
    assert_within_bucket(ok, 16, 16.0, elapsed)
    assert emulator.control.requests()["throttled"]["BatchGetMetricData"] == throttled


def test_scale_multiplies_rates(emulator: RunningEmulator, sesv2: Any) -> None:
    enable(emulator, scale=3.0)
    ok, _, elapsed = burst(sesv2.get_account, 8)
    assert_within_bucket(ok, 3, 3.0, elapsed)
    assert emulator.control.rate_limits()["rates"]["BatchGetMetricData"] == {
        "calls_per_second": 48.0,
        "queries_per_second": 480.0,
    }


def test_disabled_limits_never_throttle(emulator: RunningEmulator, sesv2: Any) -> None:
    enable(emulator)
    emulator.control.set_rate_limits(enabled=False)
    ok, throttled, _ = burst(sesv2.get_account, 6)
    assert (ok, throttled) == (6, 0)


def test_bucket_refills_over_time(emulator: RunningEmulator, sesv2: Any) -> None:
    enable(emulator, scale=10.0)  # 10 calls/s: refilling one token takes 0.1 s
    burst(sesv2.get_account, 12)
    time.sleep(0.35)
    sesv2.get_account()  # at least three tokens came back


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_limiter_charges_queries_cumulatively() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock)
    for _ in range(16):
        assert limiter.acquire("BatchGetMetricData", "r", queries=10)
    assert limiter.available("BatchGetMetricData", "r") == {"calls": 0.0, "queries": 0.0}
    assert not limiter.acquire("BatchGetMetricData", "r", queries=1)
    clock.now += 0.5
    assert limiter.available("BatchGetMetricData", "r") == {"calls": 8.0, "queries": 80.0}
    for _ in range(8):
        assert limiter.acquire("BatchGetMetricData", "r", queries=10)
    assert not limiter.acquire("BatchGetMetricData", "r", queries=1)


def test_limiter_refused_call_costs_nothing() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock)
    for _ in range(15):
        assert limiter.acquire("BatchGetMetricData", "r", queries=10)
    # one call token and ten query tokens left: a refused 11-query call must not spend them
    assert not limiter.acquire("BatchGetMetricData", "r", queries=11)
    assert limiter.available("BatchGetMetricData", "r") == {"calls": 1.0, "queries": 10.0}
    assert limiter.acquire("BatchGetMetricData", "r", queries=10)


def test_limiter_capacity_never_below_one_call() -> None:
    clock = FakeClock()
    limiter = RateLimiter(scale=0.25, clock=clock)
    assert limiter.acquire("GetAccount", "r")
    assert not limiter.acquire("GetAccount", "r")
    clock.now += 4.0
    assert limiter.acquire("GetAccount", "r")


def test_limiter_buckets_are_per_account_region_and_operation() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock)
    assert limiter.acquire("PutConfigurationSetVdmOptions", "r", account_id="111111111111")
    assert not limiter.acquire("PutConfigurationSetVdmOptions", "r", account_id="111111111111")
    # AWS keys its limits by account and region: every other key still has its full bucket.
    assert limiter.acquire("PutConfigurationSetVdmOptions", "r", account_id="222222222222")
    assert limiter.acquire("PutConfigurationSetVdmOptions", "r")  # the default account
    assert limiter.acquire("PutConfigurationSetVdmOptions", "other", account_id="111111111111")
    assert limiter.acquire("GetConfigurationSet", "r", account_id="111111111111")
    assert limiter.available("PutConfigurationSetVdmOptions", "r", account_id="111111111111") == {
        "calls": 0.0
    }
