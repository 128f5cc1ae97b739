"""VdmMetrics: the pure rules (queries, window, batching, rates) and, against the emulator over
HTTP, batch counts, per-query errors and rates checked against the emulator's own series."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pulumi
import pytest

from vdm_resources import _aws
from vdm_resources.emulator.synthetic import metric_value
from vdm_resources.emulator.testing import RunningEmulator
from vdm_resources.errors import LateInputError, VdmApiError, VdmThrottledError, VdmValidationError
from vdm_resources.metrics import (
    METRICS,
    MetricQueryError,
    VdmMetrics,
    batches,
    build_request,
    derive_rates,
    errors_message,
    fetch_metrics,
    iso_date,
    read_metrics,
    resolve_window,
    validate_queries,
)

from .mocks import ComponentMocks, run_component

TODAY = date(2024, 5, 10)

# ------------------------------------------------------------------------------ queries


def test_convenience_form_expands_to_one_query_per_metric() -> None:
    out = validate_queries(
        metrics=["SEND", "DELIVERY"], dimensions={"ISP": "Gmail", "EMAIL_IDENTITY": "example.com"}
    )
    dims = {"EMAIL_IDENTITY": "example.com", "ISP": "Gmail"}
    assert out == [
        {"id": "send", "metric": "SEND", "dimensions": dims},
        {"id": "delivery", "metric": "DELIVERY", "dimensions": dims},
    ]
    # No dimensions: account-wide (the model makes Dimensions optional).
    assert validate_queries(metrics=["SEND"]) == [
        {"id": "send", "metric": "SEND", "dimensions": {}}
    ]


def test_explicit_queries_keep_their_ids_and_order() -> None:
    queries: list[dict[str, Any]] = [
        {"id": "b", "metric": "SEND", "dimensions": {"CONFIGURATION_SET": "cs"}},
        {"id": "a", "metric": "DELIVERY_CLICK"},
    ]
    assert validate_queries(queries) == [
        {"id": "b", "metric": "SEND", "dimensions": {"CONFIGURATION_SET": "cs"}},
        {"id": "a", "metric": "DELIVERY_CLICK", "dimensions": {}},
    ]


@pytest.mark.parametrize(
    ("kwargs", "fragments"),
    [
        ({}, ("metrics", "nothing to read")),
        ({"metrics": []}, ("metrics", "non-empty list")),
        ({"metrics": "SEND"}, ("metrics", "non-empty list")),
        ({"metrics": ["SENDS"]}, ("metrics[0]", "'SENDS'", "SEND, COMPLAINT")),
        ({"metrics": ["send"]}, ("metrics[0]", "'SEND'")),
        ({"metrics": ["SEND", "SEND"]}, ("metrics[1]", "twice")),
        ({"metrics": ["SEND"], "dimensions": {"DOMAIN": "x"}}, ("dimensions", "'DOMAIN'", "ISP")),
        ({"metrics": ["SEND"], "dimensions": {"isp": "x"}}, ("dimensions", "'ISP'")),
        ({"metrics": ["SEND"], "dimensions": {"ISP": ""}}, ("dimensions", "non-empty string")),
        (
            {
                "metrics": ["SEND"],
                "dimensions": {
                    "ISP": "a",
                    "EMAIL_IDENTITY": "b",
                    "CONFIGURATION_SET": "c",
                    "TENANT_NAME": "d",
                },
            },
            ("dimensions", "at most 3"),
        ),
        ({"queries": [{"id": "a", "metric": "SEND"}], "metrics": ["SEND"]}, ("not both",)),
        ({"queries": []}, ("queries", "non-empty list")),
        ({"queries": [{"id": "", "metric": "SEND"}]}, ("queries[0].id", "1 to 255")),
        ({"queries": [{"id": "x" * 256, "metric": "SEND"}]}, ("queries[0].id", "1 to 255")),
        (
            {"queries": [{"id": "a", "metric": "SEND"}, {"id": "a", "metric": "OPEN"}]},
            ("queries[1].id", "'a'", "unique"),
        ),
        ({"queries": [{"id": "a", "metric": "SEND", "dims": {}}]}, ("queries[0]", "'dims'")),
        ({"queries": [{"id": "a", "metric": "BOUNCE"}]}, ("queries[0].metric", "'BOUNCE'")),
    ],
)
def test_bad_queries_are_refused_with_the_property_named(
    kwargs: dict[str, Any], fragments: tuple[str, ...]
) -> None:
    with pytest.raises(VdmValidationError) as info:
        validate_queries(**kwargs, context="VdmMetrics 'm'")
    assert str(info.value).startswith("VdmMetrics 'm': ")
    for fragment in fragments:
        assert fragment in str(info.value)


# ------------------------------------------------------------------------------ window


def test_last_days_is_the_complete_days_before_today() -> None:
    assert resolve_window(last_days=7, today=TODAY) == (date(2024, 5, 3), date(2024, 5, 9))
    assert resolve_window(last_days=1, today=TODAY) == (date(2024, 5, 9), date(2024, 5, 9))
    assert resolve_window(today=TODAY) == (date(2024, 5, 3), date(2024, 5, 9))


def test_absolute_dates_are_inclusive() -> None:
    assert resolve_window("2024-04-01", "2024-04-30", today=TODAY) == (
        date(2024, 4, 1),
        date(2024, 4, 30),
    )
    assert resolve_window(date(2024, 5, 1), today=TODAY) == (date(2024, 5, 1), date(2024, 5, 9))
    assert resolve_window("2024-05-10", "2024-05-10", today=TODAY) == (TODAY, TODAY)


@pytest.mark.parametrize(
    ("kwargs", "fragments"),
    [
        ({"last_days": 0}, ("last_days", "0", ">= 1")),
        ({"last_days": True}, ("last_days", ">= 1")),
        ({"last_days": "7"}, ("last_days", "'7'")),
        ({"last_days": 7, "start_date": "2024-05-01"}, ("last_days", "not both")),
        ({"end_date": "2024-05-01"}, ("end_date", "without start_date")),
        ({"start_date": "05/01/2024"}, ("start_date", "'05/01/2024'", "YYYY-MM-DD")),
        ({"start_date": "2024-05-05", "end_date": "2024-05-04"}, ("start_date", "after end_date")),
        ({"start_date": "2024-05-01", "end_date": "2025-05-01"}, ("end_date", "after today")),
    ],
)
def test_bad_windows(kwargs: dict[str, Any], fragments: tuple[str, ...]) -> None:
    with pytest.raises(VdmValidationError) as info:
        resolve_window(**kwargs, today=TODAY)
    for fragment in fragments:
        assert fragment in str(info.value)


# ------------------------------------------------------------------------------ requests


@pytest.mark.parametrize(
    ("n", "sizes"), [(1, [1]), (10, [10]), (11, [10, 1]), (35, [10, 10, 10, 5])]
)
def test_batches_of_at_most_ten(n: int, sizes: list[int]) -> None:
    items = [{"id": str(i)} for i in range(n)]
    out = batches(items)
    assert [len(b) for b in out] == sizes
    assert [q for b in out for q in b] == items


def test_request_is_half_open_over_whole_utc_days() -> None:
    batch = [
        *validate_queries(metrics=["SEND"], dimensions={"ISP": "Gmail"}),
        {"id": "all", "metric": "OPEN", "dimensions": {}},
    ]
    req = build_request(batch, date(2024, 5, 3), date(2024, 5, 9))
    start = datetime(2024, 5, 3, tzinfo=timezone.utc)
    end = datetime(2024, 5, 10, tzinfo=timezone.utc)
    assert req == {
        "Queries": [
            {
                "Id": "send",
                "Namespace": "VDM",
                "Metric": "SEND",
                "StartDate": start,
                "EndDate": end,
                "Dimensions": {"ISP": "Gmail"},
            },
            # An empty dimension set is left out: the model's minimum is one entry.
            {"Id": "all", "Namespace": "VDM", "Metric": "OPEN", "StartDate": start, "EndDate": end},
        ]
    }


def test_result_timestamps_become_utc_dates() -> None:
    local = timezone(timedelta(hours=-5))
    # Midnight UTC seen from UTC-5 is the evening before; the date must still be the UTC one.
    assert iso_date(datetime(2024, 5, 2, 19, 0, tzinfo=local)) == "2024-05-03"
    assert iso_date(1714694400) == "2024-05-03"


# ------------------------------------------------------------------------------ rates


def _series(metric: str, values: list[int], dims: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "metric": metric,
        "dimensions": dims if dims is not None else {"EMAIL_IDENTITY": "example.com"},
        "timestamps": [f"2024-05-0{i + 1}" for i in range(len(values))],
        "values": values,
    }


def test_rates_use_window_totals_and_only_requested_metrics() -> None:
    series = {
        "send": _series("SEND", [100, 300]),
        "delivery": _series("DELIVERY", [90, 290]),
        "pb": _series("PERMANENT_BOUNCE", [6, 2]),
        "tb": _series("TRANSIENT_BOUNCE", [4, 8]),
        "dc": _series("DELIVERY_COMPLAINT", [19, 0]),
        "open": _series("DELIVERY_OPEN", [38, 0]),
    }
    [entry] = derive_rates(series)
    assert entry == {
        "dimensions": {"EMAIL_IDENTITY": "example.com"},
        "totals": {
            "SEND": 400,
            "PERMANENT_BOUNCE": 8,
            "TRANSIENT_BOUNCE": 12,
            "DELIVERY": 380,
            "DELIVERY_OPEN": 38,
            "DELIVERY_COMPLAINT": 19,
        },
        "delivery_rate": 380 / 400,
        "complaint_rate": 19 / 380,  # no COMPLAINT series: DELIVERY_COMPLAINT / DELIVERY
        "bounce_rate": 20 / 400,
        "open_rate": 38 / 380,
        # no click_rate: DELIVERY_CLICK was not requested
    }


def test_complaint_rate_prefers_complaint_over_send_and_zero_denominator_is_none() -> None:
    series = {
        "s": _series("SEND", [0, 0], {"ISP": "b"}),
        "c": _series("COMPLAINT", [0, 0], {"ISP": "b"}),
        "dc": _series("DELIVERY_COMPLAINT", [1], {"ISP": "b"}),
        "d": _series("DELIVERY", [5], {"ISP": "b"}),
        "a_send": _series("SEND", [10], {"ISP": "a"}),
        "a_bounce": _series("PERMANENT_BOUNCE", [1], {"ISP": "a"}),
    }
    rates = derive_rates(series)
    assert [r["dimensions"] for r in rates] == [{"ISP": "a"}, {"ISP": "b"}]
    # Only one bounce metric: no bounce_rate rather than a half-counted one.
    assert set(rates[0]) == {"dimensions", "totals"}
    assert rates[1]["complaint_rate"] is None
    assert rates[1]["delivery_rate"] is None
    assert derive_rates({}) == []


def test_errors_message_and_error_class() -> None:
    errors = [
        {"id": "q1", "code": "ACCESS_DENIED", "message": "denied"},
        {"id": "q2", "code": "INTERNAL_FAILURE", "message": "boom"},
    ]
    assert errors_message("m", errors) == (
        "VdmMetrics 'm': 2 metric query(ies) failed (fail_on_error=True):\n"
        "- q1: ACCESS_DENIED: denied\n"
        "- q2: INTERNAL_FAILURE: boom"
    )
    err = MetricQueryError("x", code="QueryErrors")
    assert isinstance(err, pulumi.RunError) and isinstance(err, VdmApiError)
    assert len(METRICS) == 10


# ==============================================================================================
# Against the emulator, over HTTP.
# ==============================================================================================

REGION = "us-east-1"
CONTEXT = "VdmMetrics 'm'"
FIRST, LAST = resolve_window(last_days=7, today=TODAY)
DAYS = [FIRST + timedelta(days=i) for i in range(7)]


@pytest.fixture
def emu(aws_emulator: RunningEmulator) -> RunningEmulator:
    """The emulator with ``_aws`` pointed at it (shared fixture in conftest), holding the
    identities the queries below name (AWS has data only for identities that exist)."""
    identities = ["example.com", *(f"d{i}.example.com" for i in range(4))]
    aws_emulator.control.seed({"regions": {REGION: {"email_identities": identities}}})
    return aws_emulator


def many_queries(n: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"q{i:03d}",
            "metric": METRICS[i % len(METRICS)],
            "dimensions": {"EMAIL_IDENTITY": f"d{i // len(METRICS)}.example.com"},
        }
        for i in range(n)
    ]


def expected_series(query: dict[str, Any]) -> dict[str, Any]:
    dims = query.get("dimensions") or {}
    return {
        "metric": query["metric"],
        "dimensions": dims,
        "timestamps": [d.isoformat() for d in DAYS],
        "values": [metric_value(query["metric"], dims, d) for d in DAYS],
    }


@pytest.mark.parametrize(("n", "calls"), [(1, 1), (10, 1), (11, 2), (35, 4)])
def test_queries_are_batched_by_ten(emu: RunningEmulator, n: int, calls: int) -> None:
    queries = validate_queries(many_queries(n))
    series, errors = fetch_metrics(REGION, queries, FIRST, LAST, CONTEXT)
    assert emu.control.calls("BatchGetMetricData") == calls
    assert errors == []
    assert list(series) == [q["id"] for q in queries]
    assert series == {q["id"]: expected_series(q) for q in queries}


def test_account_wide_query_sends_no_dimensions(emu: RunningEmulator) -> None:
    queries = validate_queries(metrics=["SEND"])
    series, errors = fetch_metrics(REGION, queries, FIRST, LAST, CONTEXT)
    assert errors == []
    assert series["send"] == expected_series({"metric": "SEND", "dimensions": {}})


def test_per_query_errors_are_listed_and_the_rest_still_answer(emu: RunningEmulator) -> None:
    queries = validate_queries(
        [
            {"id": "ok", "metric": "SEND", "dimensions": {"ISP": "Gmail"}},
            {"id": "denied", "metric": "SEND", "dimensions": {"ISP": "denied-isp"}},
            {"id": "broken", "metric": "DELIVERY", "dimensions": {"CONFIGURATION_SET": "fail-cs"}},
        ]
    )
    series, errors = fetch_metrics(REGION, queries, FIRST, LAST, CONTEXT)
    assert list(series) == ["ok"]
    assert [(e["id"], e["code"]) for e in errors] == [
        ("denied", "ACCESS_DENIED"),
        ("broken", "INTERNAL_FAILURE"),
    ]
    assert all(e["message"] for e in errors)
    assert emu.control.calls("BatchGetMetricData") == 1


def test_rates_match_the_emulators_series(emu: RunningEmulator) -> None:
    dims = {"EMAIL_IDENTITY": "example.com", "ISP": "Gmail"}
    queries = validate_queries(metrics=list(METRICS), dimensions=dims)
    out = read_metrics(REGION, (queries, FIRST, LAST), CONTEXT)
    totals = {m: sum(metric_value(m, dims, d) for d in DAYS) for m in METRICS}
    assert out["rates"] == [
        {
            "dimensions": dims,
            "totals": totals,
            "delivery_rate": totals["DELIVERY"] / totals["SEND"],
            "complaint_rate": totals["COMPLAINT"] / totals["SEND"],
            "bounce_rate": (totals["PERMANENT_BOUNCE"] + totals["TRANSIENT_BOUNCE"])
            / totals["SEND"],
            "open_rate": totals["DELIVERY_OPEN"] / totals["DELIVERY"],
            "click_rate": totals["DELIVERY_CLICK"] / totals["DELIVERY"],
        }
    ]
    assert (out["start_date"], out["end_date"]) == ("2024-05-03", "2024-05-09")
    assert emu.control.calls("BatchGetMetricData") == 1


def test_rates_per_dimension_set_from_explicit_queries(emu: RunningEmulator) -> None:
    a, b = {"ISP": "Gmail"}, {"ISP": "Yahoo"}
    queries = validate_queries(
        [
            {"id": "a_send", "metric": "SEND", "dimensions": a},
            {"id": "a_dc", "metric": "DELIVERY_COMPLAINT", "dimensions": a},
            {"id": "a_del", "metric": "DELIVERY", "dimensions": a},
            {"id": "b_send", "metric": "SEND", "dimensions": b},
        ]
    )
    out = read_metrics(REGION, (queries, FIRST, LAST), CONTEXT)

    def total(metric: str, dims: dict[str, str]) -> int:
        return sum(metric_value(metric, dims, d) for d in DAYS)

    rate_a = out["rates"][0]
    assert rate_a["dimensions"] == a
    assert rate_a["delivery_rate"] == total("DELIVERY", a) / total("SEND", a)
    # No COMPLAINT series: the delivery-based complaint rate.
    assert rate_a["complaint_rate"] == total("DELIVERY_COMPLAINT", a) / total("DELIVERY", a)
    assert "bounce_rate" not in rate_a and "open_rate" not in rate_a
    assert out["rates"][1] == {"dimensions": b, "totals": {"SEND": total("SEND", b)}}


@pytest.mark.slow
def test_paced_batches_stay_under_the_emulators_rate_limits(
    emu: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both sides at a quarter of AWS's rates (4 calls/s, 40 queries/s, buckets of one second):
    # scaled down, not up, because unpaced HTTP calls to a local server are already slower
    # than 16/s, and a test that cannot fail without pacing proves nothing.
    queries = validate_queries(many_queries(60))  # 6 calls of 10
    monkeypatch.setenv(_aws.THROTTLE_BUDGET_ENV, "0")  # any throttle fails the read

    emu.control.set_rate_limits(enabled=True, scale=0.25)
    monkeypatch.setenv(_aws.RATE_SCALE_ENV, "off")
    _aws.reset_clients()
    with pytest.raises(VdmThrottledError):
        fetch_metrics(REGION, queries, FIRST, LAST, CONTEXT)

    emu.control.reset_requests()
    emu.control.set_rate_limits(enabled=True, scale=0.25)  # buckets restart full
    monkeypatch.setenv(_aws.RATE_SCALE_ENV, "0.25")
    _aws.reset_clients()
    series, errors = fetch_metrics(REGION, queries, FIRST, LAST, CONTEXT)
    assert errors == [] and len(series) == 60
    assert emu.control.calls("BatchGetMetricData") == 6
    assert emu.control.throttled("BatchGetMetricData") == 0


# ------------------------------------------------------------------------------ component


OUTPUT_NAMES = ("series", "errors", "rates", "start_date", "end_date", "region")


def run_program(build: Callable[[], VdmMetrics], *, preview: bool = False) -> dict[str, Any]:
    """Run ``build`` under Pulumi mocks and return the component's resolved outputs."""
    return run_component(build, OUTPUT_NAMES, preview=preview)


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    captured: list[str] = []
    monkeypatch.setattr(pulumi.log, "warn", lambda msg, *a, **k: captured.append(msg))
    return captured


@pytest.mark.parametrize("preview", [True, False])
def test_component_outputs(emu: RunningEmulator, preview: bool) -> None:
    dims = {"EMAIL_IDENTITY": "example.com"}
    out = run_program(
        lambda: VdmMetrics(
            "metrics", metrics=["SEND", "DELIVERY"], dimensions=dims, last_days=7, today=TODAY
        ),
        preview=preview,
    )
    assert out["series"] == {
        "send": expected_series({"metric": "SEND", "dimensions": dims}),
        "delivery": expected_series({"metric": "DELIVERY", "dimensions": dims}),
    }
    assert out["errors"] == []
    [rates] = out["rates"]
    assert rates["delivery_rate"] == sum(out["series"]["delivery"]["values"]) / sum(
        out["series"]["send"]["values"]
    )
    assert (out["start_date"], out["end_date"], out["region"]) == (
        "2024-05-03",
        "2024-05-09",
        REGION,
    )
    assert emu.control.calls("BatchGetMetricData") == 1
    json.dumps(out)


def test_component_errors_output_and_warnings(emu: RunningEmulator, warnings: list[str]) -> None:
    out = run_program(
        lambda: VdmMetrics(
            "m",
            queries=[
                {"id": "ok", "metric": "SEND", "dimensions": {"ISP": "Gmail"}},
                {"id": "no", "metric": "SEND", "dimensions": {"ISP": "denied-isp"}},
            ],
            start_date="2024-05-01",
            end_date="2024-05-01",
            today=TODAY,
        )
    )
    assert list(out["series"]) == ["ok"]
    assert out["series"]["ok"]["values"] == [metric_value("SEND", {"ISP": "Gmail"}, "2024-05-01")]
    assert out["errors"] == [
        {"id": "no", "code": "ACCESS_DENIED", "message": "Access denied to the requested data"}
    ]
    assert warnings == [
        "VdmMetrics 'm': query 'no' failed: ACCESS_DENIED: Access denied to the requested data"
    ]


def test_component_fail_on_error(emu: RunningEmulator) -> None:
    with pytest.raises(MetricQueryError) as info:
        run_program(
            lambda: VdmMetrics(
                "m",
                metrics=["SEND"],
                dimensions={"CONFIGURATION_SET": "fail-me"},
                fail_on_error=True,
                today=TODAY,
            )
        )
    assert str(info.value) == (
        "VdmMetrics 'm': 1 metric query(ies) failed (fail_on_error=True):\n"
        "- send: INTERNAL_FAILURE: Internal failure answering the query"
    )


def test_component_bad_input_fails_before_any_call(emu: RunningEmulator) -> None:
    pulumi.runtime.set_mocks(ComponentMocks(), preview=True)
    with pytest.raises(
        VdmValidationError, match=r"^VdmMetrics 'm': metrics\[0\]: unknown metric 'BOUNCE'"
    ):
        VdmMetrics("m", metrics=["BOUNCE"])
    with pytest.raises(VdmValidationError, match="dimensions: unknown dimension 'DOMAIN'"):
        VdmMetrics("m", metrics=["SEND"], dimensions={"DOMAIN": "x"})
    with pytest.raises(VdmValidationError, match="start_date: 2024-05-09 is after end_date"):
        VdmMetrics("m", metrics=["SEND"], start_date="2024-05-09", end_date="2024-05-01")
    with pytest.raises(VdmValidationError, match=r"queries\[1\].id: 'a' is used"):
        VdmMetrics("m", queries=[{"id": "a", "metric": "SEND"}, {"id": "a", "metric": "OPEN"}])
    with pytest.raises(LateInputError, match="last_days: 0"):
        run_program(
            lambda: VdmMetrics("m", metrics=["SEND"], last_days=pulumi.Output.from_input(0))
        )
    assert emu.control.calls() == 0
