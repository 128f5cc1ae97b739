"""Pure pieces of the emulator, in-process: metric series, generated data, tokens, faults."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vdm_resources._model import DIMENSION_NAMES, METRICS, operation_model
from vdm_resources.emulator.exceptions import BadRequestException
from vdm_resources.emulator.faults import FaultInjector
from vdm_resources.emulator.recommendations import page_recommendations
from vdm_resources.emulator.synthetic import (
    generate_recommendations,
    metric_days,
    metric_value,
    metric_values,
)
from vdm_resources.emulator.validation import validation_messages

dimension_maps = st.dictionaries(
    st.sampled_from(DIMENSION_NAMES), st.text(min_size=1, max_size=20), min_size=1, max_size=3
)
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@settings(max_examples=300, deadline=None)
@given(dimension_maps, days)
def test_metric_series_are_internally_plausible(dims: dict[str, str], day: date) -> None:
    v = metric_values(dims, day)
    assert v["SEND"] >= v["DELIVERY"] >= v["DELIVERY_OPEN"] >= v["DELIVERY_CLICK"] >= 0
    assert v["OPEN"] <= v["DELIVERY_OPEN"]
    assert v["CLICK"] <= v["DELIVERY_CLICK"]
    assert v["COMPLAINT"] <= v["DELIVERY_COMPLAINT"] <= v["DELIVERY"]
    assert v["PERMANENT_BOUNCE"] + v["TRANSIENT_BOUNCE"] == v["SEND"] - v["DELIVERY"]
    assert v["COMPLAINT"] <= 0.01 * v["SEND"]
    assert v["PERMANENT_BOUNCE"] + v["TRANSIENT_BOUNCE"] <= 0.05 * v["SEND"]
    assert all(isinstance(x, int) for x in v.values())


@given(dimension_maps, days)
def test_metric_value_is_pure(dims: dict[str, str], day: date) -> None:
    reordered = dict(reversed(list(dims.items())))
    as_datetime = datetime(day.year, day.month, day.day, 15, tzinfo=timezone.utc)
    for metric in METRICS:
        value = metric_value(metric, dims, day)
        assert value == metric_value(metric, reordered, day)
        assert value == metric_value(metric, dims, as_datetime)
        assert value == metric_value(metric, dims, day.isoformat())


def test_metric_value_pinned_numbers() -> None:
    """Exact values: if this changes, every consumer's expectations change too."""
    dims = {"EMAIL_IDENTITY": "example.com"}
    assert metric_values(dims, date(2024, 3, 2)) == {
        "SEND": 27399,
        "COMPLAINT": 17,
        "PERMANENT_BOUNCE": 434,
        "TRANSIENT_BOUNCE": 71,
        "OPEN": 9812,
        "CLICK": 657,
        "DELIVERY": 26894,
        "DELIVERY_OPEN": 19747,
        "DELIVERY_CLICK": 11050,
        "DELIVERY_COMPLAINT": 10613,
    }
    # Friday, then the weekend dip, then weekdays again.
    assert [metric_value("SEND", dims, date(2024, 3, d)) for d in range(1, 8)] == [
        34147,
        27399,
        25854,
        38030,
        39186,
        39178,
        39734,
    ]


def test_metric_value_rejects_unknown_metric() -> None:
    with pytest.raises(ValueError, match="unknown metric"):
        metric_value("OPENS", {"ISP": "x"}, date(2024, 1, 1))


def test_metric_days_are_half_open() -> None:
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert metric_days(start, start + timedelta(days=3)) == [
        date(2024, 1, 1),
        date(2024, 1, 2),
        date(2024, 1, 3),
    ]
    assert metric_days(start, start + timedelta(seconds=1)) == [date(2024, 1, 1)]


def test_generated_recommendations_are_deterministic_and_distinct() -> None:
    first = generate_recommendations(250, seed=7)
    assert first == generate_recommendations(250, seed=7)
    assert first != generate_recommendations(250, seed=8)
    assert len({r["ResourceArn"] for r in first}) == 250
    assert generate_recommendations(5, 7) == first[:5]
    types = {r["Type"] for r in first}
    assert types == {
        "DKIM",
        "DMARC",
        "SPF",
        "BIMI",
        "COMPLAINT",
        "BOUNCE",
        "FEEDBACK_3P",
        "IP_LISTING",
    }
    assert all(r["LastUpdatedTimestamp"] >= r["CreatedTimestamp"] for r in first)
    assert generate_recommendations(1, region="eu-west-1")[0]["ResourceArn"].startswith(
        "arn:aws:ses:eu-west-1:123456789012:"
    )


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 260), st.integers(1, 100))
def test_paging_partitions_the_list(count: int, size: int) -> None:
    data = generate_recommendations(count, seed=1)
    seen = []
    token = None
    pages = 0
    while True:
        page, token = page_recommendations(data, None, size, token)
        pages += 1
        seen.extend(page)
        if token is None:
            break
    assert seen == data
    assert pages == max(1, -(-count // size))


def test_token_from_other_data_is_refused() -> None:
    _, token = page_recommendations(generate_recommendations(20, 1), None, 5)
    assert token is not None
    with pytest.raises(BadRequestException, match="NextToken"):
        page_recommendations(generate_recommendations(20, 2), None, 5, token)


def test_fault_queue_order_and_counts() -> None:
    faults = FaultInjector()
    faults.add("*", "error", 1)
    faults.add("GetAccount", "throttle", 2)
    kinds = [getattr(faults.take("GetAccount"), "kind", None) for _ in range(4)]
    assert kinds == ["throttle", "throttle", "error", None]


def test_validator_adds_max_and_enum_checks_to_botocore() -> None:
    op = operation_model("BatchGetMetricData")
    query = {"Id": "x" * 256, "Namespace": "VDM", "Metric": "SEND", "StartDate": 0, "EndDate": 1}
    messages = validation_messages(op, {"Queries": [query]})
    assert messages == [
        "Invalid length for parameter Queries[0].Id, value: "
        + "x" * 256
        + ", valid max length: 255"
    ]
    messages = validation_messages(op, {"Queries": [dict(query, Id="ok", Metric="X")]})
    assert messages == [
        "Invalid value for parameter Queries[0].Metric, value: X, valid values: "
        + ", ".join(METRICS)
    ]
    assert validation_messages(op, {"Queries": [dict(query, Id="ok")], "Unknown": 1}) == []
