"""BatchGetMetricData: batching limits, per-query errors, exact deterministic values."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError

from vdm_resources._model import METRICS
from vdm_resources.emulator.synthetic import metric_value
from vdm_resources.emulator.testing import error_details

START = datetime(2024, 3, 1, tzinfo=timezone.utc)
END = datetime(2024, 3, 8, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def known_sources(emulator: Any) -> None:
    """The identities and the set the queries below name exist: AWS has data only for those."""
    emulator.control.seed(
        {
            "regions": {
                "us-east-1": {
                    "email_identities": ["example.com", "a.com"],
                    "configuration_sets": [{"ConfigurationSetName": "cs"}],
                }
            }
        }
    )


def query(
    query_id: str = "q",
    metric: str = "SEND",
    dimensions: dict[str, str] | None = None,
    start: datetime = START,
    end: datetime = END,
) -> dict[str, Any]:
    return {
        "Id": query_id,
        "Namespace": "VDM",
        "Metric": metric,
        "Dimensions": {"EMAIL_IDENTITY": "example.com"} if dimensions is None else dimensions,
        "StartDate": start,
        "EndDate": end,
    }


def test_values_equal_metric_value_for_every_metric(sesv2: Any) -> None:
    dims = {"EMAIL_IDENTITY": "example.com", "ISP": "Gmail"}
    reply = sesv2.batch_get_metric_data(Queries=[query(m.lower(), m, dims) for m in METRICS])
    assert reply["Errors"] == []
    days = [date(2024, 3, d) for d in range(1, 8)]
    by_id = {r["Id"]: r for r in reply["Results"]}
    assert [r["Id"] for r in reply["Results"]] == [m.lower() for m in METRICS]
    for metric in METRICS:
        result = by_id[metric.lower()]
        assert [t.astimezone(timezone.utc).date() for t in result["Timestamps"]] == days
        assert result["Values"] == [metric_value(metric, dims, d) for d in days]


def test_one_timestamp_per_utc_day_in_half_open_range(sesv2: Any) -> None:
    reply = sesv2.batch_get_metric_data(
        Queries=[
            query("one", start=START, end=START + timedelta(days=1)),
            query("partial", start=START + timedelta(hours=12), end=START + timedelta(hours=36)),
            query(
                "year",
                start=datetime(2023, 1, 1, tzinfo=timezone.utc),
                end=datetime(2024, 1, 1, tzinfo=timezone.utc),
            ),
        ]
    )
    counts = {r["Id"]: len(r["Timestamps"]) for r in reply["Results"]}
    assert counts == {"one": 1, "partial": 2, "year": 365}
    for result in reply["Results"]:
        assert len(result["Values"]) == len(result["Timestamps"])


def test_ten_queries_accepted(sesv2: Any) -> None:
    reply = sesv2.batch_get_metric_data(Queries=[query(f"q{i}") for i in range(10)])
    assert len(reply["Results"]) == 10


@pytest.mark.parametrize("count", [0, 11])
def test_zero_or_eleven_queries_rejected(emulator: Any, sesv2_raw: Any, count: int) -> None:
    with pytest.raises(ClientError) as exc:
        sesv2_raw.batch_get_metric_data(Queries=[query(f"q{i}") for i in range(count)])
    code, status, message = error_details(exc.value)
    assert (code, status) == ("BadRequestException", 400)
    assert "Queries" in message
    assert emulator.control.requests()["statuses"]["BatchGetMetricData"] == {"400": 1}


def test_per_query_errors_do_not_fail_the_batch(sesv2: Any) -> None:
    reply = sesv2.batch_get_metric_data(
        Queries=[
            query("ok"),
            query("denied", dimensions={"CONFIGURATION_SET": "denied-set"}),
            query("failed", dimensions={"ISP": "failing-isp", "EMAIL_IDENTITY": "a.com"}),
        ]
    )
    assert [r["Id"] for r in reply["Results"]] == ["ok"]
    errors = {e["Id"]: e["Code"] for e in reply["Errors"]}
    assert errors == {"denied": "ACCESS_DENIED", "failed": "INTERNAL_FAILURE"}
    assert all(e["Message"] for e in reply["Errors"])


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"Metric": "OPENS"}, "Metric"),
        ({"Namespace": "CLOUDWATCH"}, "Namespace"),
        ({"Dimensions": {}}, "Dimensions"),
        ({"Dimensions": {"COUNTRY": "FR"}}, "COUNTRY"),
        (
            {
                "Dimensions": {
                    "ISP": "a",
                    "EMAIL_IDENTITY": "b",
                    "CONFIGURATION_SET": "c",
                    "TENANT_NAME": "d",
                }
            },
            "Dimensions",
        ),
        ({"Id": ""}, "Id"),
        ({"Id": "x" * 256}, "Id"),
        ({"EndDate": START}, "EndDate"),
        ({"EndDate": START - timedelta(days=1)}, "EndDate"),
    ],
)
def test_invalid_query_names_the_field(sesv2_raw: Any, changes: dict[str, Any], field: str) -> None:
    bad = {**query(), **changes}
    with pytest.raises(ClientError) as exc:
        sesv2_raw.batch_get_metric_data(Queries=[query("fine"), bad])
    code, status, message = error_details(exc.value)
    assert (code, status) == ("BadRequestException", 400)
    assert field in message


def test_missing_required_query_member(sesv2_raw: Any) -> None:
    bad = query()
    del bad["Metric"]
    with pytest.raises(ClientError) as exc:
        sesv2_raw.batch_get_metric_data(Queries=[bad])
    code, _, message = error_details(exc.value)
    assert code == "BadRequestException"
    assert "Queries[0]" in message and "Metric" in message


def test_duplicate_query_ids_rejected(sesv2: Any) -> None:
    with pytest.raises(ClientError) as exc:
        sesv2.batch_get_metric_data(Queries=[query("same"), query("same")])
    assert error_details(exc.value)[:2] == ("BadRequestException", 400)


def test_all_dimension_names_accepted(sesv2: Any) -> None:
    dims = {"EMAIL_IDENTITY": "a.com", "CONFIGURATION_SET": "cs", "TENANT_NAME": "t1"}
    reply = sesv2.batch_get_metric_data(Queries=[query(dimensions=dims)])
    assert reply["Results"][0]["Values"][0] == metric_value("SEND", dims, START)


@pytest.mark.parametrize(
    ("value", "field"), [("yesterday", "StartDate"), (True, "StartDate"), ({}, "StartDate")]
)
def test_unparseable_dates_name_the_field(emulator: Any, value: Any, field: str) -> None:
    raw = {**query(), "StartDate": value, "EndDate": END.timestamp()}
    status, headers, body = emulator.raw_request(
        "POST", "/v2/email/metrics/batch", {"Queries": [raw]}
    )
    assert (status, headers["x-amzn-errortype"]) == (400, "BadRequestException")
    assert f"Queries[0].{field}" in body["message"]


def empty(query_id: str) -> dict[str, Any]:
    return {"Id": query_id, "Timestamps": [], "Values": []}


def test_sources_the_account_does_not_hold_have_no_data(sesv2: Any) -> None:
    """AWS has no data for a set or identity that does not exist there: empty series."""
    reply = sesv2.batch_get_metric_data(
        Queries=[
            query("set", dimensions={"CONFIGURATION_SET": "no-such-set"}),
            query("identity", dimensions={"EMAIL_IDENTITY": "nobody.example"}),
            query("set+isp", dimensions={"CONFIGURATION_SET": "no-such-set", "ISP": "Gmail"}),
            query(
                "known set, unknown identity",
                dimensions={"CONFIGURATION_SET": "cs", "EMAIL_IDENTITY": "nobody.example"},
            ),
            query("known", dimensions={"CONFIGURATION_SET": "cs"}),
        ]
    )
    assert reply["Errors"] == []
    results = {r["Id"]: r for r in reply["Results"]}
    for query_id in ("set", "identity", "set+isp", "known set, unknown identity"):
        assert results[query_id] == empty(query_id)
    assert results["known"]["Values"] == [
        metric_value("SEND", {"CONFIGURATION_SET": "cs"}, date(2024, 3, d)) for d in range(1, 8)
    ]


def test_untracked_dimensions_keep_invented_data(sesv2: Any) -> None:
    dims = {"ISP": "Gmail", "TENANT_NAME": "t1"}
    account_wide = query("account-wide")
    del account_wide["Dimensions"]
    reply = sesv2.batch_get_metric_data(Queries=[query("isp", dimensions=dims), account_wide])
    by_id = {r["Id"]: r["Values"] for r in reply["Results"]}
    assert by_id["isp"] == [metric_value("SEND", dims, date(2024, 3, d)) for d in range(1, 8)]
    assert len(by_id["account-wide"]) == 7


def test_data_follows_sources_created_and_deleted_over_the_api(sesv2: Any) -> None:
    dims = {"EMAIL_IDENTITY": "new.example", "CONFIGURATION_SET": "fresh"}
    assert sesv2.batch_get_metric_data(Queries=[query(dimensions=dims)])["Results"] == [empty("q")]
    sesv2.create_email_identity(EmailIdentity="new.example")
    sesv2.create_configuration_set(ConfigurationSetName="fresh")
    [result] = sesv2.batch_get_metric_data(Queries=[query(dimensions=dims)])["Results"]
    assert result["Values"] == [metric_value("SEND", dims, date(2024, 3, d)) for d in range(1, 8)]
    sesv2.delete_email_identity(EmailIdentity="new.example")
    assert sesv2.batch_get_metric_data(Queries=[query(dimensions=dims)])["Results"] == [empty("q")]


def test_sources_are_per_region(emulator: Any) -> None:
    west = emulator.boto3_client("eu-west-1")
    reply = west.batch_get_metric_data(
        Queries=[query("set", dimensions={"CONFIGURATION_SET": "cs"}), query("identity")]
    )
    assert reply["Results"] == [empty("set"), empty("identity")]


def test_seeded_identities_are_in_the_state(emulator: Any, sesv2: Any) -> None:
    sesv2.create_email_identity(EmailIdentity="api.example")
    region = emulator.control.state()["regions"]["us-east-1"]
    assert region["email_identities"] == ["a.com", "api.example", "example.com"]
    listed = sesv2.list_email_identities()["EmailIdentities"]
    assert sorted(i["IdentityName"] for i in listed) == ["a.com", "api.example", "example.com"]


@pytest.mark.parametrize("bad", ["", 5, None])
def test_bad_seeded_identity_is_refused(emulator: Any, bad: Any) -> None:
    from vdm_resources.emulator.client import ControlError

    with pytest.raises(ControlError) as exc:
        emulator.control.seed({"regions": {"us-east-1": {"email_identities": [bad]}}})
    assert exc.value.status == 400
    assert "email_identities[0]" in exc.value.message
