"""Hostile and odd input, generated: every argument of both resources and of the components.

The promise under test: whatever a program passes, the outcome is success or a validation
failure that names the property - never a traceback, and never an API call carrying data AWS
would refuse. For the providers, ``check`` is what the engine calls first (with preview-time
unknowns in it); when it passes, ``create`` against the emulator must succeed or fail with one
clean line, and when it fails no request may have been made. For the components, the
validation functions run before any read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pulumi.dynamic import CheckResult
from pulumi.output import Unknown

from vdm_resources import AccountVdmAttributesProvider, ConfigurationSetVdmOptionsProvider
from vdm_resources._component import validate_region
from vdm_resources._host import ProviderFailure
from vdm_resources._provider import PROVIDER_KEY
from vdm_resources._unknowns import UNKNOWN_SENTINEL, is_unknown
from vdm_resources.emulator.testing import RunningEmulator
from vdm_resources.errors import VdmValidationError
from vdm_resources.metrics import fetch_metrics, resolve_window, validate_queries
from vdm_resources.recommendations import (
    fetch_recommendations,
    validate_criteria,
    validate_filter,
)

# The fixtures used with @given hold no per-example state (a patched function; the emulator,
# whose request log each example resets itself), so function scope is safe here.
_SHARED_FIXTURES = [HealthCheck.function_scoped_fixture]
PURE = settings(max_examples=200, deadline=None, suppress_health_check=_SHARED_FIXTURES)
HTTP = settings(max_examples=25, deadline=None, suppress_health_check=_SHARED_FIXTURES)

MISSING = object()  # "argument not passed"
SEEDED_SETS = ("alpha", "b-_9", "s" * 64)
TODAY = date(2024, 5, 10)

# ---------------------------------------------------------------------------------- strategies

feature = st.sampled_from(["ENABLED", "DISABLED"])
near_feature = st.sampled_from(
    [
        "enabled",
        "Enabled",
        "ENABLED ",
        " DISABLED",
        "ON",
        "OFF",
        "TRUE",
        "",
        "ENABLËD",
        "\uff25\uff2e\uff21\uff22\uff2c\uff25\uff24",  # ENABLED in full-width letters
    ]
)
unknown = st.one_of(st.builds(Unknown), st.just(UNKNOWN_SENTINEL))
scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=70),
    near_feature,
)
anything: st.SearchStrategy[Any] = st.recursive(
    st.one_of(scalar, unknown),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.text(max_size=12), inner, max_size=3),
    ),
    max_leaves=6,
)


def block(keys: tuple[str, ...]) -> st.SearchStrategy[Any]:
    """A nested options block: right keys, wrong-case keys, extra keys, odd values."""
    key = st.one_of(
        st.sampled_from(keys),
        st.sampled_from([k.upper() for k in keys] + [k.replace("_", "") for k in keys]),
        st.text(max_size=12),
    )
    value = st.one_of(feature, feature, near_feature, scalar, unknown, anything)
    return st.one_of(
        st.none(),
        st.fixed_dictionaries({}, optional={k: value for k in keys}),
        st.dictionaries(key, value, max_size=3),
        anything,
        unknown,
    )


def arg(good: st.SearchStrategy[Any], *odd: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly plausible values (so checks that pass are common), often hostile ones."""
    return st.one_of(st.just(MISSING), good, good, *odd, scalar, unknown, anything)


region = st.sampled_from(
    ["us-east-1", "eu-west-1", "US-EAST-1", "us-east-1 ", "us_east_1", "moon-base-1", "", "1"]
)
set_name = st.one_of(
    st.sampled_from(SEEDED_SETS),
    st.sampled_from(["ghost", "", "s" * 65, "café", "with space", "a/b", "ÄÖÜ", "-", "_x"]),
    st.text(max_size=70),
)

dashboard_good = st.one_of(st.none(), st.fixed_dictionaries({"engagement_metrics": feature}))
guardian_good = st.one_of(st.none(), st.fixed_dictionaries({"optimized_shared_delivery": feature}))
#: Per argument: (plausible values, hostile values).
ACCOUNT_ARGS: dict[str, tuple[st.SearchStrategy[Any], st.SearchStrategy[Any]]] = {
    "vdm_enabled": (feature, arg(feature, near_feature)),
    "dashboard_attributes": (dashboard_good, arg(dashboard_good, block(("engagement_metrics",)))),
    "guardian_attributes": (
        guardian_good,
        arg(guardian_good, block(("optimized_shared_delivery",))),
    ),
    "region": (st.sampled_from([None, "us-east-1", "eu-west-1"]), arg(st.none(), region)),
    "restore_on_delete": (st.sampled_from([None, True, False]), arg(st.booleans(), st.none())),
}
SET_ARGS: dict[str, tuple[st.SearchStrategy[Any], st.SearchStrategy[Any]]] = {
    "configuration_set_name": (
        st.sampled_from(SEEDED_SETS),
        arg(st.sampled_from(SEEDED_SETS), set_name),
    ),
    "dashboard_options": (dashboard_good, arg(dashboard_good, block(("engagement_metrics",)))),
    "guardian_options": (guardian_good, arg(guardian_good, block(("optimized_shared_delivery",)))),
    "region": (st.sampled_from([None, "us-east-1", "moon-base-1"]), arg(st.none(), region)),
}


def props_of(
    args: Mapping[str, tuple[st.SearchStrategy[Any], st.SearchStrategy[Any]]],
    output_only: str,
    max_hostile: int,
) -> st.SearchStrategy[dict[str, Any]]:
    """What the engine hands ``check``: the constructor's props (absent ones as None, as the
    resource classes pass them), the internal name, the provider blob.

    Up to ``max_hostile`` arguments get a hostile value and the rest a plausible one, so that
    inputs passing ``check`` stay common enough for ``create`` to be exercised too.
    """

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        names = sorted(args)
        hostile = draw(st.sets(st.sampled_from(names), max_size=max_hostile))
        props = {}
        for name in names:
            good, bad = args[name]
            value = draw(bad if name in hostile else good)
            props[name] = None if value is MISSING else value
        return {**props, output_only: None, "__name": "hostile", PROVIDER_KEY: "blob"}

    return build()


account_props = props_of(ACCOUNT_ARGS, "previous_vdm_attributes", len(ACCOUNT_ARGS))
set_props = props_of(SET_ARGS, "previous_vdm_options", len(SET_ARGS))
account_props_http = props_of(ACCOUNT_ARGS, "previous_vdm_attributes", 1)
set_props_http = props_of(SET_ARGS, "previous_vdm_options", 1)

# ---------------------------------------------------------------------------------- assertions


def has_unknown(value: Any) -> bool:
    if is_unknown(value):
        return True
    if isinstance(value, dict):
        return any(has_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(has_unknown(v) for v in value)
    return False


def assert_failures_name_properties(result: CheckResult, props: dict[str, Any]) -> None:
    user_keys = {k for k in props if not k.startswith("__")}
    for failure in result.failures:
        assert failure.property in user_keys, failure.property
        # The reason starts with the property's path, so nested problems are located too.
        assert failure.reason.startswith(failure.property), failure.reason
        assert "\n" not in failure.reason
        assert "Traceback" not in failure.reason


def assert_one_clean_line(exc: BaseException, resource: str) -> None:
    text = str(exc)
    assert type(exc) is ProviderFailure, type(exc)  # a VdmError re-raised as its message alone
    assert text.startswith(f"{resource} 'hostile': "), text
    assert "\n" not in text
    # Data that passed check must never be refused by the API as malformed.
    assert "BadRequest" not in text and "ValidationException" not in text, text


ACCOUNT_OUTS = {
    "vdm_enabled": "ENABLED",
    "dashboard_attributes": {"engagement_metrics": "ENABLED"},
    "guardian_attributes": {"optimized_shared_delivery": "DISABLED"},
    "region": "us-east-1",
    "restore_on_delete": False,
    "previous_vdm_attributes": None,
    "__inputs": {"vdm_enabled": "ENABLED"},
}
SET_OUTS = {
    "configuration_set_name": "alpha",
    "dashboard_options": {"engagement_metrics": "ENABLED"},
    "guardian_options": {"optimized_shared_delivery": None},
    "region": "us-east-1",
    "previous_vdm_options": None,
    "__inputs": {"configuration_set_name": "alpha"},
}


@pytest.fixture
def no_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    """For the pure properties: any API call is a failure, not a network error."""
    from vdm_resources import _aws

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("check/diff/validation must not call AWS")

    monkeypatch.setattr(_aws, "call", refuse)


# ---------------------------------------------------------------------------------- providers


@PURE
@given(props=account_props)
def test_account_check_and_diff_never_raise(no_calls: None, props: dict[str, Any]) -> None:
    provider = AccountVdmAttributesProvider()
    result = provider.check({}, dict(props))
    assert result.inputs[PROVIDER_KEY] == "blob"
    assert_failures_name_properties(result, props)
    if not result.failures:
        # The engine diffs only checked inputs; unknowns there mean "will change".
        diff = provider.diff("us-east-1", dict(ACCOUNT_OUTS), dict(result.inputs))
        assert diff.changes in (True, False)
        if has_unknown(props.get("vdm_enabled")):
            assert diff.changes is True


@PURE
@given(props=set_props)
@example(  # a key holding a newline once made a two-line failure reason
    props={
        "configuration_set_name": None,
        "dashboard_options": None,
        "guardian_options": {"\n": None},
        "region": None,
        "previous_vdm_options": None,
        "__name": "hostile",
        PROVIDER_KEY: "blob",
    }
)
def test_configuration_set_check_and_diff_never_raise(
    no_calls: None, props: dict[str, Any]
) -> None:
    provider = ConfigurationSetVdmOptionsProvider()
    result = provider.check({}, dict(props))
    assert_failures_name_properties(result, props)
    name = props.get("configuration_set_name")
    if not has_unknown(name) and not (isinstance(name, str) and 1 <= len(name) <= 64):
        assert any(f.property == "configuration_set_name" for f in result.failures)
    if not result.failures:
        diff = provider.diff("alpha", dict(SET_OUTS), dict(result.inputs))
        assert diff.changes in (True, False)


@pytest.fixture
def seeded(aws_emulator: RunningEmulator) -> RunningEmulator:
    aws_emulator.control.seed(
        {
            "regions": {
                r: {"configuration_sets": [{"ConfigurationSetName": n} for n in SEEDED_SETS]}
                for r in ("us-east-1", "eu-west-1", "moon-base-1")
            }
        }
    )
    return aws_emulator


def check_then_create(
    emu: RunningEmulator,
    provider: AccountVdmAttributesProvider | ConfigurationSetVdmOptionsProvider,
    resource: str,
    props: dict[str, Any],
) -> None:
    emu.control.reset_requests()
    result = provider.check({}, dict(props))
    if result.failures:
        assert emu.control.calls() == 0
        return
    if has_unknown(props):
        return  # preview only: the engine checks again with real values before create
    try:
        created = provider.create(dict(result.inputs))
    except Exception as exc:
        assert_one_clean_line(exc, resource)
    else:
        assert created.id
    statuses = emu.control.requests()["statuses"]
    assert all("400" not in s for s in statuses.values()), statuses


@HTTP
@given(props=account_props_http)
def test_account_checked_input_is_created_or_fails_cleanly(
    seeded: RunningEmulator, props: dict[str, Any]
) -> None:
    check_then_create(seeded, AccountVdmAttributesProvider(), "AccountVdmAttributes", props)


@HTTP
@given(props=set_props_http)
def test_configuration_set_checked_input_is_created_or_fails_cleanly(
    seeded: RunningEmulator, props: dict[str, Any]
) -> None:
    check_then_create(
        seeded, ConfigurationSetVdmOptionsProvider(), "ConfigurationSetVdmOptions", props
    )


# ---------------------------------------------------------------------------------- components

CONTEXT = "Component 'hostile'"

filter_key = st.one_of(
    st.sampled_from(["TYPE", "IMPACT", "STATUS", "RESOURCE_ARN", "type", "Status", "IMPACTS"]),
    st.text(max_size=12),
    st.integers(),
    st.none(),
)
filter_value = st.one_of(
    st.sampled_from(["DKIM", "SPF", "HIGH", "LOW", "OPEN", "FIXED", "high", "dkim", "OPENED"]),
    st.text(max_size=20),
    st.just("x" * 513),
    scalar,
    anything,
)
filters = st.one_of(
    st.none(),
    st.dictionaries(filter_key, filter_value, max_size=3),
    st.dictionaries(st.sampled_from(["STATUS", "IMPACT", "TYPE"]), filter_value, max_size=2),
    anything,
)
criteria = st.one_of(
    st.none(),
    st.dictionaries(
        st.one_of(
            st.sampled_from(["type", "impact", "status", "resource_arn", "IMPACT"]), st.text()
        ),
        st.one_of(filter_value, st.lists(filter_value, max_size=3)),
        max_size=3,
    ),
    anything,
)
metric = st.one_of(
    st.sampled_from(["SEND", "DELIVERY", "OPEN", "send", "Delivery", "BOUNCE", ""]), scalar
)
dimensions = st.one_of(
    st.none(),
    st.dictionaries(
        st.one_of(
            st.sampled_from(["EMAIL_IDENTITY", "CONFIGURATION_SET", "ISP", "isp", "TENANT"]),
            st.text(max_size=10),
        ),
        st.one_of(st.sampled_from(["example.com", "marketing", "Gmail", ""]), scalar),
        max_size=4,
    ),
    anything,
)
query = st.one_of(
    st.fixed_dictionaries(
        {"id": st.one_of(st.sampled_from(["q1", "q2", "x" * 256, ""]), scalar), "metric": metric},
        optional={"dimensions": dimensions, "extra": anything},
    ),
    st.dictionaries(st.one_of(st.text(max_size=8), st.integers()), anything, max_size=3),
    anything,
)
window_value = st.one_of(
    st.none(),
    st.sampled_from(["2024-05-01", "2024-05-09", "2024-05-11", "2024-13-01", "yesterday", ""]),
    st.dates(min_value=date(2023, 1, 1), max_value=date(2025, 1, 1)),
    st.integers(min_value=-3, max_value=400),
    scalar,
    near_feature,
)


def assert_validates_or_names(fn: Callable[[], Any], names: tuple[str, ...]) -> tuple[bool, Any]:
    """``fn`` returns, or raises a validation error that names one of ``names``."""
    try:
        return True, fn()
    except VdmValidationError as exc:
        text = str(exc)
        assert text.startswith(f"{CONTEXT}: "), text
        detail = text.removeprefix(f"{CONTEXT}: ")
        assert detail.startswith(names), text
        return False, None


@PURE
@given(filter_=filters, fail_on=criteria, warn_on=criteria, region_=st.one_of(region, anything))
def test_recommendations_validation_names_the_property(
    no_calls: None, filter_: Any, fail_on: Any, warn_on: Any, region_: Any
) -> None:
    assert_validates_or_names(lambda: validate_filter(filter_, CONTEXT), ("filter",))
    assert_validates_or_names(lambda: validate_criteria(fail_on, "fail_on", CONTEXT), ("fail_on",))
    assert_validates_or_names(lambda: validate_criteria(warn_on, "warn_on", CONTEXT), ("warn_on",))
    assert_validates_or_names(lambda: validate_region(region_, CONTEXT), ("region",))


@PURE
@given(
    queries=st.one_of(st.none(), st.lists(query, max_size=4), anything),
    metrics=st.one_of(st.none(), st.lists(metric, max_size=4), anything),
    dims=dimensions,
    last_days=window_value,
    start=window_value,
    end=window_value,
)
def test_metrics_validation_names_the_property(
    no_calls: None, queries: Any, metrics: Any, dims: Any, last_days: Any, start: Any, end: Any
) -> None:
    assert_validates_or_names(
        lambda: validate_queries(queries, metrics, dims, CONTEXT),
        ("queries", "metrics", "dimensions"),
    )
    assert_validates_or_names(
        lambda: resolve_window(start, end, last_days, TODAY, CONTEXT),
        ("start_date", "end_date", "last_days"),
    )


@HTTP
@given(filter_=filters)
def test_valid_filters_are_accepted_by_the_api(aws_emulator: RunningEmulator, filter_: Any) -> None:
    aws_emulator.control.reset_requests()
    ok, checked = assert_validates_or_names(lambda: validate_filter(filter_, CONTEXT), ("filter",))
    if not ok:
        assert aws_emulator.control.calls() == 0
        return
    fetch_recommendations("us-east-1", checked, CONTEXT)
    statuses = aws_emulator.control.requests()["statuses"]
    assert set(statuses.get("ListRecommendations", {})) == {"200"}, statuses


@HTTP
@given(
    queries=st.one_of(st.none(), st.lists(query, min_size=1, max_size=12)),
    metrics=st.one_of(st.none(), st.lists(metric, max_size=4)),
    dims=dimensions,
)
def test_valid_queries_are_accepted_by_the_api(
    aws_emulator: RunningEmulator, queries: Any, metrics: Any, dims: Any
) -> None:
    aws_emulator.control.reset_requests()
    ok, checked = assert_validates_or_names(
        lambda: validate_queries(queries, metrics, dims, CONTEXT),
        ("queries", "metrics", "dimensions"),
    )
    if not ok:
        assert aws_emulator.control.calls() == 0
        return
    first, last = resolve_window(last_days=3, today=TODAY)
    series, errors = fetch_metrics("us-east-1", checked, first, last, CONTEXT)
    assert len(series) + len(errors) == len(checked)
    statuses = aws_emulator.control.requests()["statuses"]
    assert set(statuses.get("BatchGetMetricData", {})) == {"200"}, statuses


def test_query_with_non_string_keys_is_a_validation_error(no_calls: None) -> None:
    ok, _ = assert_validates_or_names(
        lambda: validate_queries([{"": None, 0: None}], None, None, CONTEXT),  # type: ignore[dict-item]
        ("queries",),
    )
    assert not ok


def test_absurd_last_days_is_a_validation_error(no_calls: None) -> None:
    ok, _ = assert_validates_or_names(
        lambda: resolve_window(None, None, 10**6, TODAY, CONTEXT), ("last_days",)
    )
    assert not ok
