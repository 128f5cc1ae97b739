"""ListRecommendations: paging, filters, PageSize bounds, tokens, seeding."""

from __future__ import annotations

import math
from typing import Any

import pytest
from botocore.exceptions import ClientError

from vdm_resources.emulator.synthetic import default_recommendations, generate_recommendations
from vdm_resources.emulator.testing import RunningEmulator, error_details

REGION = "us-east-1"
FIELD_OF = {"TYPE": "Type", "IMPACT": "Impact", "STATUS": "Status", "RESOURCE_ARN": "ResourceArn"}


def list_all(client: Any, **kwargs: Any) -> tuple[list[dict[str, Any]], int]:
    """Every recommendation and the number of calls it took."""
    items: list[dict[str, Any]] = []
    pages = 0
    token: str | None = None
    while True:
        args = dict(kwargs)
        if token is not None:
            args["NextToken"] = token
        reply = client.list_recommendations(**args)
        pages += 1
        items.extend(reply["Recommendations"])
        token = reply.get("NextToken")
        if token is None:
            return items, pages


def as_wire(item: dict[str, Any]) -> dict[str, Any]:
    """A boto3-parsed recommendation back in seed form (epoch seconds)."""
    out = dict(item)
    for key in ("CreatedTimestamp", "LastUpdatedTimestamp"):
        out[key] = int(item[key].timestamp())
    return out


def test_region_starts_with_default_recommendations(sesv2: Any) -> None:
    items, pages = list_all(sesv2)
    assert pages == 1
    assert [as_wire(i) for i in items] == default_recommendations(REGION)


@pytest.mark.parametrize(
    ("count", "page_size", "expected_pages"),
    [
        (0, None, 1),
        (1, None, 1),
        (100, None, 1),
        (101, None, 2),
        (250, None, 3),
        (250, 100, 3),
        (250, 7, 36),
        (100, 1, 100),
    ],
)
def test_paging_returns_everything_once_in_order(
    emulator: RunningEmulator, sesv2: Any, count: int, page_size: int | None, expected_pages: int
) -> None:
    emulator.control.generate_recommendations(REGION, count, seed=count)
    kwargs = {} if page_size is None else {"PageSize": page_size}
    items, pages = list_all(sesv2, **kwargs)
    assert pages == expected_pages == max(1, math.ceil(count / (page_size or 100)))
    assert [as_wire(i) for i in items] == generate_recommendations(count, count, region=REGION)
    assert len({i["ResourceArn"] for i in items}) == count


def test_pages_are_stable_when_repeated(emulator: RunningEmulator, sesv2: Any) -> None:
    emulator.control.generate_recommendations(REGION, 30, seed=1)
    first = sesv2.list_recommendations(PageSize=10)
    again = sesv2.list_recommendations(PageSize=10)
    assert first["NextToken"] == again["NextToken"]
    second = sesv2.list_recommendations(PageSize=10, NextToken=first["NextToken"])
    repeat = sesv2.list_recommendations(PageSize=10, NextToken=first["NextToken"])
    assert second["Recommendations"] == repeat["Recommendations"]


@pytest.mark.parametrize(
    "filter_",
    [
        {"TYPE": "DKIM"},
        {"IMPACT": "HIGH"},
        {"STATUS": "FIXED"},
        {"STATUS": "OPEN", "IMPACT": "LOW"},
        {"STATUS": "OPEN", "TYPE": "BOUNCE"},
    ],
)
def test_allowed_filters_select_exactly_the_matching_items(
    emulator: RunningEmulator, sesv2: Any, filter_: dict[str, str]
) -> None:
    emulator.control.generate_recommendations(REGION, 250, seed="filters")
    expected = [
        r
        for r in generate_recommendations(250, "filters", region=REGION)
        if all(r[FIELD_OF[k]] == v for k, v in filter_.items())
    ]
    assert expected, "seed data should contain matches"
    items, pages = list_all(sesv2, Filter=filter_, PageSize=25)
    assert [as_wire(i) for i in items] == expected
    assert pages == max(1, math.ceil(len(expected) / 25))


def test_resource_arn_filter(emulator: RunningEmulator, sesv2: Any) -> None:
    generated = generate_recommendations(20, 3, region=REGION)
    emulator.control.generate_recommendations(REGION, 20, seed=3)
    target = generated[7]["ResourceArn"]
    items, _ = list_all(sesv2, Filter={"RESOURCE_ARN": target})
    assert [as_wire(i) for i in items] == [generated[7]]


@pytest.mark.parametrize(
    "filter_",
    [
        {"TYPE": "DKIM", "IMPACT": "LOW"},
        {"STATUS": "OPEN", "RESOURCE_ARN": "arn:aws:ses:us-east-1:123456789012:identity/x"},
        {"TYPE": "DKIM", "RESOURCE_ARN": "arn:aws:ses:us-east-1:123456789012:identity/x"},
        {"IMPACT": "LOW", "RESOURCE_ARN": "arn:aws:ses:us-east-1:123456789012:identity/x"},
    ],
)
def test_disallowed_filter_combinations_say_what_is_allowed(
    sesv2: Any, filter_: dict[str, str]
) -> None:
    with pytest.raises(ClientError) as exc:
        sesv2.list_recommendations(Filter=filter_)
    code, status, message = error_details(exc.value)
    assert (code, status) == ("BadRequestException", 400)
    assert "STATUS with IMPACT" in message
    assert "STATUS with TYPE" in message


@pytest.mark.parametrize(
    ("filter_", "field"),
    [
        ({}, "Filter"),
        ({"STATUS": "OPEN", "IMPACT": "LOW", "TYPE": "DKIM"}, "Filter"),
        ({"COLOR": "RED"}, "COLOR"),
        ({"TYPE": "FOO"}, "Filter.TYPE"),
        ({"STATUS": "CLOSED"}, "Filter.STATUS"),
        ({"IMPACT": "MEDIUM"}, "Filter.IMPACT"),
        ({"RESOURCE_ARN": ""}, "Filter.RESOURCE_ARN"),
        ({"RESOURCE_ARN": "a" * 513}, "Filter.RESOURCE_ARN"),
    ],
)
def test_malformed_filters_name_the_field(
    sesv2_raw: Any, filter_: dict[str, str], field: str
) -> None:
    with pytest.raises(ClientError) as exc:
        sesv2_raw.list_recommendations(Filter=filter_)
    code, status, message = error_details(exc.value)
    assert (code, status) == ("BadRequestException", 400)
    assert field in message


@pytest.mark.parametrize("page_size", [0, -1, 101, 1000])
def test_page_size_out_of_bounds(sesv2_raw: Any, page_size: int) -> None:
    with pytest.raises(ClientError) as exc:
        sesv2_raw.list_recommendations(PageSize=page_size)
    code, status, message = error_details(exc.value)
    assert (code, status) == ("BadRequestException", 400)
    assert "PageSize" in message


@pytest.mark.parametrize("page_size", [1, 100])
def test_page_size_bounds_are_inclusive(
    emulator: RunningEmulator, sesv2: Any, page_size: int
) -> None:
    emulator.control.generate_recommendations(REGION, 150, seed=9)
    assert len(sesv2.list_recommendations(PageSize=page_size)["Recommendations"]) == page_size


@pytest.mark.parametrize("token", ["garbage", "eyJvIjotMSwiZiI6IngifQ", "", "%%%"])
def test_garbage_token_is_bad_request(sesv2_raw: Any, token: str) -> None:
    with pytest.raises(ClientError) as exc:
        sesv2_raw.list_recommendations(NextToken=token)
    code, status, message = error_details(exc.value)
    assert (code, status) == ("BadRequestException", 400)
    assert "NextToken" in message


def test_token_goes_stale_when_data_or_filter_changes(
    emulator: RunningEmulator, sesv2: Any
) -> None:
    emulator.control.generate_recommendations(REGION, 30, seed=1)
    token = sesv2.list_recommendations(PageSize=10)["NextToken"]
    with pytest.raises(ClientError) as exc:
        sesv2.list_recommendations(PageSize=10, NextToken=token, Filter={"STATUS": "OPEN"})
    assert "NextToken" in error_details(exc.value)[2]
    emulator.control.generate_recommendations(REGION, 1, seed=2, append=True)
    with pytest.raises(ClientError) as exc:
        sesv2.list_recommendations(PageSize=10, NextToken=token)
    assert error_details(exc.value)[:2] == ("BadRequestException", 400)


def test_seeding_replaces_appends_and_is_per_region(emulator: RunningEmulator, sesv2: Any) -> None:
    west = emulator.boto3_client("us-west-2")
    emulator.control.set_recommendations(REGION, generate_recommendations(3, "a", region=REGION))
    emulator.control.set_recommendations(
        REGION, generate_recommendations(2, "b", region=REGION), append=True
    )
    items, _ = list_all(sesv2)
    assert [as_wire(i) for i in items] == [
        *generate_recommendations(3, "a", region=REGION),
        *generate_recommendations(2, "b", region=REGION),
    ]
    west_items, _ = list_all(west)
    assert [as_wire(i) for i in west_items] == default_recommendations("us-west-2")


def test_seed_with_invalid_recommendation_is_refused(emulator: RunningEmulator) -> None:
    from vdm_resources.emulator.client import ControlError

    bad = dict(generate_recommendations(1)[0], Type="SPAM")
    with pytest.raises(ControlError) as exc:
        emulator.control.set_recommendations(REGION, [bad])
    assert exc.value.status == 400
    assert "Type" in exc.value.message


@pytest.mark.parametrize("page_size", [True, "5", 2.5])
def test_page_size_wrong_type_is_bad_request(emulator: RunningEmulator, page_size: Any) -> None:
    status, headers, body = emulator.raw_request(
        "POST", "/v2/email/vdm/recommendations", {"PageSize": page_size}
    )
    assert (status, headers["x-amzn-errortype"]) == (400, "BadRequestException")
    assert "PageSize" in body["message"]
