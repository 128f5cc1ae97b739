"""VdmRecommendations: the pure rules (filter, criteria, order, counts, gate text) and, against
the emulator over HTTP, paging, filters and the gate wired through the component."""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pulumi
import pytest

from vdm_resources import _aws
from vdm_resources.emulator.synthetic import generate_recommendations
from vdm_resources.emulator.testing import RunningEmulator
from vdm_resources.errors import (
    LateInputError,
    ReadError,
    VdmApiError,
    VdmGateError,
    VdmThrottledError,
    VdmValidationError,
)
from vdm_resources.recommendations import (
    RecommendationGateError,
    VdmRecommendations,
    fetch_recommendations,
    flatten_recommendation,
    format_match,
    gate_message,
    iso_timestamp,
    match,
    sort_key,
    sort_recommendations,
    summarize,
    validate_criteria,
    validate_filter,
    warning_message,
)

from .mocks import ComponentMocks, run_component


def rec(
    impact: str = "HIGH",
    type_: str = "DKIM",
    arn: str = "arn:aws:ses:us-east-1:123456789012:identity/a.example.com",
    status: str = "OPEN",
    created: str = "2024-01-01T00:00:00Z",
    description: str = "fix it",
) -> dict[str, Any]:
    return {
        "resource_arn": arn,
        "type": type_,
        "description": description,
        "status": status,
        "impact": impact,
        "created_timestamp": created,
        "last_updated_timestamp": created,
    }


# ------------------------------------------------------------------------------ filter rules

GOOD_FILTERS: list[dict[str, str]] = [
    {"TYPE": "DKIM"},
    {"TYPE": "IP_LISTING"},
    {"IMPACT": "HIGH"},
    {"IMPACT": "LOW"},
    {"STATUS": "OPEN"},
    {"STATUS": "FIXED"},
    {"RESOURCE_ARN": "arn:aws:ses:us-east-1:123456789012:identity/example.com"},
    {"RESOURCE_ARN": "x" * 512},
    {"STATUS": "OPEN", "IMPACT": "HIGH"},
    {"STATUS": "FIXED", "TYPE": "SPF"},
]

#: (filter, fragments the error must contain)
BAD_FILTERS: list[tuple[Any, tuple[str, ...]]] = [
    ({"SEVERITY": "HIGH"}, ("filter", "'SEVERITY'", "TYPE, IMPACT, STATUS, RESOURCE_ARN")),
    ({"status": "OPEN"}, ("filter", "'status'", "'STATUS'")),
    ({"TYPE": "DKIM2"}, ("filter", "'DKIM2'", "DKIM, DMARC, SPF, BIMI")),
    ({"IMPACT": "MEDIUM"}, ("filter", "'MEDIUM'", "LOW, HIGH")),
    ({"STATUS": "open"}, ("filter", "'open'", "OPEN, FIXED")),
    ({"RESOURCE_ARN": ""}, ("filter", "RESOURCE_ARN", "1 to 512")),
    ({"RESOURCE_ARN": "x" * 513}, ("filter", "RESOURCE_ARN", "1 to 512")),
    ({"STATUS": 1}, ("filter", "STATUS", "must be a string")),
    ({"TYPE": "DKIM", "IMPACT": "HIGH"}, ("filter", "IMPACT and TYPE", "STATUS with TYPE")),
    ({"STATUS": "OPEN", "RESOURCE_ARN": "arn:x"}, ("filter", "RESOURCE_ARN and STATUS")),
    (
        {"STATUS": "OPEN", "TYPE": "DKIM", "IMPACT": "HIGH"},
        ("filter", "STATUS with IMPACT"),
    ),
    ("STATUS=OPEN", ("filter", "must be a mapping")),
]


@pytest.mark.parametrize("filter_", GOOD_FILTERS)
def test_good_filters_pass_unchanged(filter_: dict[str, str]) -> None:
    assert validate_filter(filter_) == filter_


def test_no_filter_means_everything() -> None:
    assert validate_filter(None) == {}
    assert validate_filter({}) == {}


@pytest.mark.parametrize(("filter_", "fragments"), BAD_FILTERS)
def test_bad_filters_name_property_value_and_allowed(
    filter_: Any, fragments: tuple[str, ...]
) -> None:
    with pytest.raises(VdmValidationError) as info:
        validate_filter(filter_, "VdmRecommendations 'r'")
    message = str(info.value)
    assert message.startswith("VdmRecommendations 'r': filter: ")
    for fragment in fragments:
        assert fragment in message
    # Printed by Pulumi without a traceback.
    assert isinstance(info.value, pulumi.RunError)


# ------------------------------------------------------------------------------ criteria


def test_criteria_accept_strings_and_lists() -> None:
    assert validate_criteria({"impact": "HIGH"}, "fail_on") == {"impact": ("HIGH",)}
    assert validate_criteria({"type": ["DKIM", "SPF"], "status": "OPEN"}, "warn_on") == {
        "type": ("DKIM", "SPF"),
        "status": ("OPEN",),
    }
    assert validate_criteria(None, "fail_on") is None


@pytest.mark.parametrize(
    ("criteria", "fragments"),
    [
        ({"IMPACT": "HIGH"}, ("fail_on", "'IMPACT'", "'impact'")),
        ({"severity": "HIGH"}, ("fail_on", "'severity'", "type, impact, status, resource_arn")),
        ({"impact": "high"}, ("fail_on", "'high'", "LOW, HIGH")),
        ({"type": ["DKIM", "NOPE"]}, ("fail_on", "'NOPE'", "DKIM, DMARC")),
        ({"type": []}, ("fail_on", "non-empty list")),
        ({"resource_arn": ""}, ("fail_on", "non-empty string")),
        ({}, ("fail_on", "every recommendation")),
        (["impact"], ("fail_on", "must be a mapping")),
    ],
)
def test_bad_criteria(criteria: Any, fragments: tuple[str, ...]) -> None:
    with pytest.raises(VdmValidationError) as info:
        validate_criteria(criteria, "fail_on", "VdmRecommendations 'r'")
    for fragment in fragments:
        assert fragment in str(info.value)


def test_match_is_and_across_keys_and_or_within_a_list() -> None:
    recs = [
        rec("HIGH", "DKIM", status="OPEN"),
        rec("HIGH", "SPF", status="FIXED"),
        rec("LOW", "DKIM", status="OPEN"),
        rec("LOW", "BIMI", status="OPEN"),
    ]
    assert match(recs, {"impact": "HIGH"}) == recs[:2]
    assert match(recs, {"impact": "HIGH", "status": "OPEN"}) == recs[:1]
    assert match(recs, {"type": ["DKIM", "BIMI"], "impact": "LOW"}) == recs[2:]
    assert match(recs, None) == []
    with pytest.raises(VdmValidationError):
        match(recs, {"impact": "SEVERE"})


def test_gate_and_warning_text() -> None:
    hits = [
        rec("HIGH", "DKIM", arn="arn:aws:ses:us-east-1:1:identity/a.com", description="No DKIM."),
        rec("HIGH", "SPF", arn="arn:aws:ses:us-east-1:1:identity/b.com", description="No SPF."),
    ]
    assert format_match(hits[0]) == "- HIGH DKIM arn:aws:ses:us-east-1:1:identity/a.com: No DKIM."
    text = gate_message("deliverability", {"status": "OPEN", "impact": "HIGH"}, hits)
    assert text == (
        "VdmRecommendations 'deliverability': 2 recommendation(s) match fail_on "
        "{'impact': 'HIGH', 'status': 'OPEN'}:\n"
        "- HIGH DKIM arn:aws:ses:us-east-1:1:identity/a.com: No DKIM.\n"
        "- HIGH SPF arn:aws:ses:us-east-1:1:identity/b.com: No SPF."
    )
    assert warning_message("d", {"type": ["SPF"]}, hits[1]) == (
        "VdmRecommendations 'd': recommendation matches warn_on {'type': ['SPF']}: "
        "HIGH SPF arn:aws:ses:us-east-1:1:identity/b.com: No SPF."
    )
    # The gate error is both a RunError (no traceback) and the package's VdmGateError.
    err = RecommendationGateError(text)
    assert isinstance(err, pulumi.RunError) and isinstance(err, VdmGateError)


# ------------------------------------------------------------------------------ shape, order


def test_flatten_gives_snake_case_and_utc_iso_timestamps() -> None:
    local = timezone(timedelta(hours=-7))
    api = {
        "ResourceArn": "arn:x",
        "Type": "DMARC",
        "Description": "d",
        "Status": "FIXED",
        "Impact": "LOW",
        "CreatedTimestamp": datetime(2024, 3, 1, 17, 0, 0, tzinfo=local),
        "LastUpdatedTimestamp": datetime(2024, 3, 2, 0, 0, 0, 250000, tzinfo=timezone.utc),
    }
    assert flatten_recommendation(api) == {
        "resource_arn": "arn:x",
        "type": "DMARC",
        "description": "d",
        "status": "FIXED",
        "impact": "LOW",
        "created_timestamp": "2024-03-02T00:00:00Z",
        "last_updated_timestamp": "2024-03-02T00:00:00.250Z",
    }
    assert iso_timestamp(None) is None
    assert iso_timestamp(datetime(2024, 1, 1)) == "2024-01-01T00:00:00Z"  # naive = UTC


def test_order_is_high_first_then_type_arn_created_whatever_the_input_order() -> None:
    recs = [
        rec("LOW", "BIMI", arn="arn:a"),
        rec("HIGH", "SPF", arn="arn:a"),
        rec("HIGH", "DKIM", arn="arn:b"),
        rec("HIGH", "DKIM", arn="arn:a", created="2024-01-02T00:00:00Z"),
        rec("HIGH", "DKIM", arn="arn:a", created="2024-01-01T00:00:00.500Z"),
    ]
    expected = [recs[4], recs[3], recs[2], recs[1], recs[0]]
    assert sort_recommendations(recs) == expected
    assert sort_recommendations(reversed(recs)) == expected


def test_summarize_counts_what_was_returned() -> None:
    recs = [
        rec("HIGH", "DKIM", status="OPEN"),
        rec("HIGH", "SPF", status="FIXED"),
        rec("LOW", "DKIM", status="OPEN"),
    ]
    assert summarize(recs) == {
        "count": 3,
        "open_count": 2,
        "high_impact_count": 2,
        "counts_by_type": {"DKIM": 2, "SPF": 1},
    }
    assert summarize([]) == {
        "count": 0,
        "open_count": 0,
        "high_impact_count": 0,
        "counts_by_type": {},
    }


# ------------------------------------------------------------------------------ paging (fake)


class PagingClient:
    def __init__(self, pages: list[dict[str, Any]]) -> None:
        self.pages = pages
        self.requests: list[dict[str, Any]] = []

    def list_recommendations(self, **params: Any) -> dict[str, Any]:
        self.requests.append(params)
        return dict(self.pages[len(self.requests) - 1])


def test_a_repeated_next_token_stops_instead_of_looping(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(_aws.RATE_SCALE_ENV, "off")
    page = {"Recommendations": [], "NextToken": "same"}
    client = PagingClient([page, page, page])
    monkeypatch.setattr(_aws, "client", lambda region: client)
    with pytest.raises(VdmApiError, match="already returned"):
        fetch_recommendations("us-east-1", None, "VdmRecommendations 'r'")
    assert [r.get("NextToken") for r in client.requests] == [None, "same"]
    assert all(r["PageSize"] == 100 and "Filter" not in r for r in client.requests)


# ==============================================================================================
# Against the emulator, over HTTP.
# ==============================================================================================

REGION = "us-east-1"
CONTEXT = "VdmRecommendations 'r'"


@pytest.fixture
def emu(aws_emulator: RunningEmulator) -> RunningEmulator:
    """The emulator with ``_aws`` pointed at it (shared fixture in conftest)."""
    return aws_emulator


def seed(emu: RunningEmulator, n: int, seed_: int = 7) -> list[dict[str, Any]]:
    """Seed ``n`` recommendations; returns what we expect back, in the documented order."""
    emu.control.set_recommendations(REGION, [])
    if n:
        emu.control.generate_recommendations(REGION, n, seed=seed_)
    emu.control.reset_requests()
    generated = generate_recommendations(n, seed_, region=REGION)
    return sort_recommendations(
        flatten_recommendation(
            {
                **g,
                "CreatedTimestamp": datetime.fromtimestamp(g["CreatedTimestamp"], timezone.utc),
                "LastUpdatedTimestamp": datetime.fromtimestamp(
                    g["LastUpdatedTimestamp"], timezone.utc
                ),
            }
        )
        for g in generated
    )


@pytest.mark.parametrize("n", [0, 1, 100, 101, 1000])
def test_every_page_is_read_once(emu: RunningEmulator, n: int) -> None:
    expected = seed(emu, n)
    recs = fetch_recommendations(REGION, None, CONTEXT)
    assert emu.control.calls("ListRecommendations") == max(1, math.ceil(n / 100))
    assert recs == expected
    assert len({r["resource_arn"] for r in recs}) == n  # each exactly once
    assert recs == sorted(recs, key=sort_key)
    counts = summarize(recs)
    assert counts["count"] == n
    assert counts["open_count"] == sum(1 for r in expected if r["status"] == "OPEN")
    assert counts["high_impact_count"] == sum(1 for r in expected if r["impact"] == "HIGH")
    assert sum(counts["counts_by_type"].values()) == n


@pytest.mark.parametrize("filter_", GOOD_FILTERS)
def test_each_good_filter_is_applied_by_the_api(
    emu: RunningEmulator, filter_: dict[str, str]
) -> None:
    everything = seed(emu, 150)
    if "RESOURCE_ARN" in filter_ and filter_["RESOURCE_ARN"].startswith("arn:"):
        filter_ = {"RESOURCE_ARN": everything[3]["resource_arn"]}
    field = {"TYPE": "type", "IMPACT": "impact", "STATUS": "status", "RESOURCE_ARN": "resource_arn"}
    wanted = [r for r in everything if all(r[field[k]] == v for k, v in filter_.items())]
    recs = fetch_recommendations(REGION, filter_, CONTEXT)
    assert recs == wanted
    assert emu.control.calls("ListRecommendations") == max(1, math.ceil(len(wanted) / 100))


@pytest.mark.parametrize(("filter_", "fragments"), BAD_FILTERS)
def test_bad_filters_make_no_call(
    emu: RunningEmulator, filter_: Any, fragments: tuple[str, ...]
) -> None:
    seed(emu, 3)
    with pytest.raises(VdmValidationError, match="filter"):
        fetch_recommendations(REGION, filter_, CONTEXT)
    assert emu.control.calls() == 0


def test_throttling_is_retried_without_losing_or_repeating_a_page(emu: RunningEmulator) -> None:
    expected = seed(emu, 250)
    emu.control.add_fault("ListRecommendations", "throttle", count=2)
    assert fetch_recommendations(REGION, None, CONTEXT) == expected
    requests = emu.control.requests()
    assert requests["calls"]["ListRecommendations"] == 3 + 2
    assert (
        emu.control.throttled("ListRecommendations")
        + requests["faulted"].get("ListRecommendations", 0)
        >= 2
    )


@pytest.mark.slow
def test_paced_reads_stay_under_the_emulators_rate_limit(
    emu: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 4 pages at 1 call/s with both sides scaled by 2: the emulator's bucket holds 2 calls, so
    # an unpaced loop is throttled unless its 4 calls take over a second (checked first, so the
    # test cannot pass vacuously) and the paced one never is.
    expected = seed(emu, 400)
    monkeypatch.setenv(_aws.THROTTLE_BUDGET_ENV, "0")  # any throttle fails the read

    emu.control.set_rate_limits(enabled=True, scale=2.0)
    monkeypatch.setenv(_aws.RATE_SCALE_ENV, "off")
    _aws.reset_clients()
    with pytest.raises(VdmThrottledError):
        fetch_recommendations(REGION, None, CONTEXT)

    emu.control.reset_requests()
    emu.control.set_rate_limits(enabled=True, scale=2.0)  # bucket restarts full
    monkeypatch.setenv(_aws.RATE_SCALE_ENV, "2")
    _aws.reset_clients()
    started = time.monotonic()
    assert fetch_recommendations(REGION, None, CONTEXT) == expected
    assert time.monotonic() - started >= 3 / 2
    assert emu.control.calls("ListRecommendations") == 4
    assert emu.control.throttled("ListRecommendations") == 0


# ------------------------------------------------------------------------------ component


OUTPUT_NAMES = (
    "recommendations",
    "count",
    "open_count",
    "high_impact_count",
    "counts_by_type",
    "region",
)


def run_program(
    build: Callable[[], VdmRecommendations], *, preview: bool = False
) -> dict[str, Any]:
    """Run ``build`` under Pulumi mocks and return the component's resolved outputs."""
    return run_component(build, OUTPUT_NAMES, preview=preview)


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    captured: list[str] = []
    monkeypatch.setattr(
        pulumi.log, "warn", lambda msg, resource=None, *a, **k: captured.append(msg)
    )
    return captured


@pytest.mark.parametrize("preview", [True, False])
def test_component_reads_at_preview_and_up(emu: RunningEmulator, preview: bool) -> None:
    expected = seed(emu, 120)
    out = run_program(
        lambda: VdmRecommendations("deliverability", filter={"STATUS": "OPEN"}), preview=preview
    )
    wanted = [r for r in expected if r["status"] == "OPEN"]
    assert out["recommendations"] == wanted
    assert out["count"] == out["open_count"] == len(wanted)
    assert out["high_impact_count"] == sum(1 for r in wanted if r["impact"] == "HIGH")
    assert out["counts_by_type"] == summarize(wanted)["counts_by_type"]
    assert out["region"] == REGION  # from AWS_DEFAULT_REGION: no region arg, no aws:region
    assert emu.control.calls("ListRecommendations") == math.ceil(len(wanted) / 100)
    json.dumps(out)  # plain JSON


def test_component_bad_filter_fails_in_the_constructor_before_any_call(
    emu: RunningEmulator,
) -> None:
    seed(emu, 3)
    pulumi.runtime.set_mocks(ComponentMocks(), preview=True)
    with pytest.raises(VdmValidationError) as info:
        VdmRecommendations("deliverability", filter={"STATUS": "OPEN", "RESOURCE_ARN": "arn:x"})
    assert str(info.value).startswith("VdmRecommendations 'deliverability': filter: ")
    with pytest.raises(
        VdmValidationError, match="fail_on: unknown impact value 'high' \\(mind the case: 'HIGH'\\)"
    ):
        VdmRecommendations("d", fail_on={"impact": "high"})
    with pytest.raises(VdmValidationError, match="warn_on: unknown key 'severity'"):
        VdmRecommendations("d", warn_on={"severity": "HIGH"})
    with pytest.raises(VdmValidationError, match="region: 'useast1'"):
        VdmRecommendations("d", region="useast1")
    assert emu.control.calls() == 0


def test_component_output_filter_is_validated_when_known(emu: RunningEmulator) -> None:
    seed(emu, 3)
    # Found inside an apply: a RunError (one line, no traceback), not a ValueError, which
    # Pulumi would re-wrap while serializing the outputs.
    with pytest.raises(
        LateInputError, match=r"^VdmRecommendations 'd': filter: unknown IMPACT value 'SEV"
    ):
        run_program(
            lambda: VdmRecommendations("d", filter={"IMPACT": pulumi.Output.from_input("SEVERE")})
        )
    assert emu.control.calls() == 0
    out = run_program(
        lambda: VdmRecommendations("d", filter=pulumi.Output.secret({"IMPACT": "HIGH"}))
    )
    assert all(r["impact"] == "HIGH" for r in out["recommendations"])
    assert emu.control.calls("ListRecommendations") == 1


def test_component_gate_fails_with_one_line_per_match(
    emu: RunningEmulator, warnings: list[str]
) -> None:
    recs = [
        {
            "ResourceArn": f"arn:aws:ses:us-east-1:123456789012:identity/{name}",
            "Type": kind,
            "Description": f"{kind} problem on {name}.",
            "Status": status,
            "CreatedTimestamp": 1704067200 + i,
            "LastUpdatedTimestamp": 1704067200 + i,
            "Impact": impact,
        }
        for i, (name, kind, status, impact) in enumerate(
            [
                ("b.example.com", "SPF", "OPEN", "HIGH"),
                ("a.example.com", "DKIM", "OPEN", "HIGH"),
                ("c.example.com", "DKIM", "OPEN", "LOW"),
                ("d.example.com", "DMARC", "FIXED", "HIGH"),
            ]
        )
    ]
    emu.control.set_recommendations(REGION, recs)
    emu.control.reset_requests()
    with pytest.raises(RecommendationGateError) as info:
        run_program(
            lambda: VdmRecommendations(
                "deliverability",
                filter={"STATUS": "OPEN"},
                region=REGION,
                fail_on={"impact": "HIGH"},
            )
        )
    assert str(info.value) == (
        "VdmRecommendations 'deliverability': 2 recommendation(s) match fail_on "
        "{'impact': 'HIGH'}:\n"
        "- HIGH DKIM arn:aws:ses:us-east-1:123456789012:identity/a.example.com: "
        "DKIM problem on a.example.com.\n"
        "- HIGH SPF arn:aws:ses:us-east-1:123456789012:identity/b.example.com: "
        "SPF problem on b.example.com."
    )
    assert isinstance(info.value, pulumi.RunError)
    assert emu.control.calls("ListRecommendations") == 1

    # No match: the gate stays open.
    out = run_program(
        lambda: VdmRecommendations("d", fail_on={"type": "BIMI"}, warn_on={"type": ["DKIM"]})
    )
    assert out["count"] == 4
    assert warnings == [
        "VdmRecommendations 'd': recommendation matches warn_on {'type': ['DKIM']}: "
        "HIGH DKIM arn:aws:ses:us-east-1:123456789012:identity/a.example.com: "
        "DKIM problem on a.example.com.",
        "VdmRecommendations 'd': recommendation matches warn_on {'type': ['DKIM']}: "
        "LOW DKIM arn:aws:ses:us-east-1:123456789012:identity/c.example.com: "
        "DKIM problem on c.example.com.",
    ]


class RecordingMocks(ComponentMocks):
    """Mocks that note when each resource is registered and when each warning is logged."""

    def __init__(self, events: list[str]) -> None:
        self.events = events

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.events.append(f"registered {args.name}")
        return super().new_resource(args)


def run_with_a_late_resource(
    build: Callable[[], Any], events: list[str], delay: float = 1.0
) -> None:
    """Run ``build`` next to a resource that registers ``delay`` seconds in: longer than the
    component's read, as when a resource waits for its ``depends_on`` to register."""
    pulumi.runtime.set_mocks(RecordingMocks(events), preview=True)

    @pulumi.runtime.test  # type: ignore[misc]
    def program() -> None:
        late = pulumi.Output.from_input(asyncio.sleep(delay, result="late"))
        pulumi.CustomResource("test:index:Late", "late", {"value": late})
        build()

    program()


def test_component_findings_wait_for_the_programs_other_registrations(
    emu: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gate and the warnings come after every other registration: a preview that the gate
    fails still shows the whole diff, and reads diff, warnings, gate."""
    seed(emu, 20)
    events: list[str] = []
    monkeypatch.setattr(
        pulumi.log, "warn", lambda msg, resource=None, *a, **k: events.append("warning")
    )
    with pytest.raises(RecommendationGateError) as info:
        run_with_a_late_resource(
            lambda: VdmRecommendations(
                "deliverability",
                fail_on={"impact": "HIGH"},
                warn_on={"impact": "LOW"},
            ),
            events,
        )
    assert "recommendation(s) match fail_on {'impact': 'HIGH'}" in str(info.value)
    assert emu.control.calls("ListRecommendations") == 1
    assert "registered late" in events and "warning" in events
    assert events.index("registered late") < events.index("warning")


def test_component_gates_of_one_run_fail_it_together(emu: RunningEmulator) -> None:
    """A program stops at its first error: two gates that match report in one error."""
    emu.control.set_recommendations(REGION, generate_recommendations(5, 1, region=REGION))
    emu.control.set_recommendations("eu-west-1", generate_recommendations(5, 1, region="eu-west-1"))

    def build() -> None:
        VdmRecommendations("us", region=REGION, fail_on={"status": "OPEN"})
        VdmRecommendations("eu", region="eu-west-1", fail_on={"status": "OPEN"})

    events: list[str] = []
    with pytest.raises(RecommendationGateError) as info:
        run_with_a_late_resource(build, events, delay=0.2)
    text = str(info.value)
    assert "VdmRecommendations 'us': " in text and "VdmRecommendations 'eu': " in text
    assert "registered late" in events


def test_component_region_comes_from_the_argument(emu: RunningEmulator) -> None:
    emu.control.set_recommendations("eu-west-1", generate_recommendations(5, 1, region="eu-west-1"))
    emu.control.reset_requests()
    out = run_program(lambda: VdmRecommendations("d", region="eu-west-1"))
    assert out["region"] == "eu-west-1" and out["count"] == 5
    assert [e["region"] for e in emu.control.requests()["log"]] == ["eu-west-1"]


def test_component_api_failure_is_one_readable_line(emu: RunningEmulator) -> None:
    seed(emu, 3)
    emu.control.add_fault("ListRecommendations", "error", count=10)
    with pytest.raises(ReadError) as info:
        run_program(lambda: VdmRecommendations("d"))
    assert str(info.value).startswith(
        "VdmRecommendations 'd': ListRecommendations in us-east-1 failed after 4 attempts"
    )
    assert isinstance(info.value, pulumi.RunError) and isinstance(info.value, VdmApiError)
    assert emu.control.calls("ListRecommendations") == 4


def unknown_output() -> pulumi.Output[Any]:
    """What an input computed from a not-yet-created resource looks like during preview."""
    loop = asyncio.get_event_loop()
    value: asyncio.Future[Any] = loop.create_future()
    value.set_result(None)
    known: asyncio.Future[bool] = loop.create_future()
    known.set_result(False)
    return pulumi.Output(set(), value, known)


def test_component_skips_the_read_while_an_input_is_unknown(emu: RunningEmulator) -> None:
    seed(emu, 3)
    out = run_program(lambda: VdmRecommendations("d", region=unknown_output()), preview=True)
    assert out == {}  # outputs unknown, nothing resolved
    assert emu.control.calls() == 0
