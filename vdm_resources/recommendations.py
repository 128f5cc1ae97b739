"""``VdmRecommendations``: VDM's deliverability recommendations as stack outputs, and a PR gate.

It is a read-only component, not a dynamic resource: nothing is written to AWS, so there is
nothing for a provider to create or delete, and reading in the program process means the read
runs during ``pulumi preview`` too (a gate that only fired on ``up`` would be useless in a pull
request). The read happens inside an ``apply`` over the inputs, so it runs as soon as they are
known and is skipped while they are not.

The pure helpers (:func:`validate_filter`, :func:`fetch_recommendations`, :func:`summarize`,
:func:`match`, :func:`gate_message`) carry all of the behaviour and are usable without Pulumi.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any, TypeVar

import pulumi

from . import _aws
from ._args import AssumeRoleArgs
from ._component import ReadOnlyComponent, fail, is_plain, require_choice
from ._credentials import AwsTarget
from ._gate import expect_report, report_after_registrations
from ._model import (
    FILTER_KEY_VALUES,
    FILTER_KEYS,
    FILTER_PAIRS,
    FILTER_VALUE_MAX,
    HIGH,
    OPEN,
)
from .errors import RecommendationGateError, VdmApiError

OUTPUT_NAMES = (
    "recommendations",
    "count",
    "open_count",
    "high_impact_count",
    "counts_by_type",
    "region",
)
TYPE_TOKEN = "vdm-resources:sesv2:VdmRecommendations"

#: The largest page the API serves: fewest calls at 1 call/s.
PAGE_SIZE = 100

#: Criteria (``fail_on``/``warn_on``) use the output's snake_case field names.
CRITERIA_KEYS = ("type", "impact", "status", "resource_arn")
_ENUMS = FILTER_KEY_VALUES
#: HIGH first; any other impact (LOW, or one AWS adds later) after it.
_IMPACT_RANK = {HIGH: 0}


Recommendation = dict[str, Any]
Criteria = dict[str, tuple[str, ...]]
T = TypeVar("T")


def _choices(values: Iterable[str]) -> str:
    return ", ".join(values)


# ---------------------------------------------------------------------------------------------
# Filter validation: the API's rules, checked before any call so a bad filter never costs a
# request (and fails `pulumi preview` rather than a later `up`).
# ---------------------------------------------------------------------------------------------


def validate_filter(filter: Mapping[str, Any] | None, context: str | None = None) -> dict[str, str]:
    """Check a ``ListRecommendations`` filter; returns it as a plain dict ({} = no filter).

    An empty mapping means "no filter" rather than an error because the API's own minimum of
    one entry is about the request shape, and omitting ``Filter`` is how one asks for everything.
    """
    if filter is None:
        return {}
    if not isinstance(filter, Mapping):
        raise fail(
            context,
            f"filter: {filter!r} must be a mapping of filter keys to values, like "
            f"{{'STATUS': {OPEN!r}}}",
        )
    result: dict[str, str] = {}
    for key, value in filter.items():
        require_choice(key, FILTER_KEYS, "filter", "key", context)
        if not isinstance(value, str):
            raise fail(context, f"filter: {key} value {value!r} must be a string")
        if not 1 <= len(value) <= FILTER_VALUE_MAX:
            raise fail(
                context,
                f"filter: {key} value {value!r} must be 1 to {FILTER_VALUE_MAX} characters "
                f"(got {len(value)})",
            )
        if key in _ENUMS:
            require_choice(value, _ENUMS[key], "filter", f"{key} value", context)
        result[key] = value
    keys = frozenset(result)
    if len(keys) > 1 and keys not in FILTER_PAIRS:
        raise fail(
            context,
            f"filter: {dict(result)!r} combines {' and '.join(sorted(keys))}; the API accepts "
            "one key, or STATUS with IMPACT, or STATUS with TYPE",
        )
    return result


def validate_criteria(
    criteria: Mapping[str, Any] | None, prop: str, context: str | None = None
) -> Criteria | None:
    """Check ``fail_on``/``warn_on``; returns each key's accepted values as a tuple.

    An empty mapping is refused rather than read as "match everything": a gate that fails on
    every recommendation is far more likely a templating slip than an intent.
    """
    if criteria is None:
        return None
    if not isinstance(criteria, Mapping):
        raise fail(
            context,
            f"{prop}: {criteria!r} must be a mapping of recommendation fields to values, like "
            f"{{'impact': {HIGH!r}}}",
        )
    if not criteria:
        raise fail(
            context,
            f"{prop}: {{}} would match every recommendation; omit it or name at least one of "
            f"{_choices(CRITERIA_KEYS)}",
        )
    result: Criteria = {}
    for key, raw in criteria.items():
        require_choice(key, CRITERIA_KEYS, prop, "key", context)
        values: Sequence[Any]
        if isinstance(raw, str):
            values = (raw,)
        elif isinstance(raw, (list, tuple)) and raw:
            values = raw
        else:
            raise fail(
                context, f"{prop}: {key} value {raw!r} must be a string or a non-empty list of them"
            )
        for value in values:
            if not isinstance(value, str) or not value:
                raise fail(context, f"{prop}: {key} value {value!r} must be a non-empty string")
            if key.upper() in _ENUMS:
                require_choice(value, _ENUMS[key.upper()], prop, f"{key} value", context)
        result[key] = tuple(values)
    return result


# ---------------------------------------------------------------------------------------------
# Reading and shaping.
# ---------------------------------------------------------------------------------------------


def iso_timestamp(value: Any) -> str | None:
    """A timestamp as ISO-8601 UTC (``2024-05-01T12:00:00Z``).

    botocore hands back epoch timestamps as local-time datetimes; normalising to UTC with a
    ``Z`` keeps outputs identical wherever ``pulumi`` runs, so they never show a spurious diff.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if not isinstance(value, datetime):
        raise TypeError(f"not a timestamp: {value!r}")
    dt = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value
    dt = dt.astimezone(timezone.utc)
    spec = "milliseconds" if dt.microsecond else "seconds"
    return dt.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def flatten_recommendation(api: Mapping[str, Any]) -> Recommendation:
    return {
        "resource_arn": api.get("ResourceArn"),
        "type": api.get("Type"),
        "description": api.get("Description"),
        "status": api.get("Status"),
        "impact": api.get("Impact"),
        "created_timestamp": iso_timestamp(api.get("CreatedTimestamp")),
        "last_updated_timestamp": iso_timestamp(api.get("LastUpdatedTimestamp")),
    }


def _instant(value: str | None) -> datetime:
    if not value:
        return datetime.min.replace(tzinfo=timezone.utc)
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def sort_key(rec: Mapping[str, Any]) -> tuple[Any, ...]:
    """HIGH impact first, then type, resource and age; every field breaks ties so the order
    never depends on the order AWS paged them in."""
    return (
        _IMPACT_RANK.get(rec.get("impact") or "", 1),
        rec.get("impact") or "",
        rec.get("type") or "",
        rec.get("resource_arn") or "",
        _instant(rec.get("created_timestamp")),
        _instant(rec.get("last_updated_timestamp")),
        rec.get("status") or "",
        rec.get("description") or "",
    )


def sort_recommendations(recs: Iterable[Recommendation]) -> list[Recommendation]:
    return sorted(recs, key=sort_key)


def fetch_recommendations(
    region: str,
    filter: Mapping[str, Any] | None,
    context: str,
    *,
    page_size: int = PAGE_SIZE,
    target: AwsTarget | None = None,
) -> list[Recommendation]:
    """Every page of ``ListRecommendations``, flattened and in :func:`sort_key` order.

    botocore has no paginator for this operation, so it loops on ``NextToken``. A token seen
    twice would loop forever at 1 call/s; that is reported as an API error instead.
    """
    checked = validate_filter(filter, context)
    params: dict[str, Any] = {"PageSize": page_size}
    if checked:
        params["Filter"] = checked
    found: list[Recommendation] = []
    seen: set[str] = set()
    while True:
        page = _aws.call("ListRecommendations", region, params, context=context, target=target)
        found.extend(flatten_recommendation(r) for r in page.get("Recommendations") or [])
        token = page.get("NextToken")
        if not token:
            break
        if token in seen:
            raise VdmApiError(
                f"{context}: ListRecommendations in {region} returned a NextToken it had "
                "already returned; stopping rather than paging forever",
                code="RepeatedNextToken",
                operation="ListRecommendations",
            )
        seen.add(token)
        params = {**params, "NextToken": token}
    return sort_recommendations(found)


def summarize(recs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Counts over exactly the recommendations returned (so a STATUS filter scopes them too)."""
    by_type: dict[str, int] = {}
    for rec in recs:
        kind = str(rec.get("type"))
        by_type[kind] = by_type.get(kind, 0) + 1
    return {
        "count": len(recs),
        "open_count": sum(1 for r in recs if r.get("status") == OPEN),
        "high_impact_count": sum(1 for r in recs if r.get("impact") == HIGH),
        "counts_by_type": dict(sorted(by_type.items())),
    }


def match(recs: Iterable[Mapping[str, Any]], criteria: Mapping[str, Any] | None) -> list[Any]:
    """Recommendations matching every key of ``criteria`` (a list value matches any of its items).

    Raw (unvalidated) criteria are accepted and validated, so callers cannot forget to.
    """
    checked = validate_criteria(criteria, "criteria") if criteria is not None else None
    if not checked:
        return []
    return [r for r in recs if all(r.get(k) in values for k, values in checked.items())]


def format_match(rec: Mapping[str, Any]) -> str:
    return (
        f"- {rec.get('impact')} {rec.get('type')} {rec.get('resource_arn')}: "
        f"{rec.get('description')}"
    )


def _criteria_text(criteria: Mapping[str, Any]) -> str:
    return repr(dict(sorted(criteria.items())))


def gate_message(
    name: str, criteria: Mapping[str, Any], matches: Sequence[Mapping[str, Any]]
) -> str:
    lines = [
        f"VdmRecommendations {name!r}: {len(matches)} recommendation(s) match fail_on "
        f"{_criteria_text(criteria)}:",
        *(format_match(r) for r in matches),
    ]
    return "\n".join(lines)


def warning_message(name: str, criteria: Mapping[str, Any], rec: Mapping[str, Any]) -> str:
    return (
        f"VdmRecommendations {name!r}: recommendation matches warn_on "
        f"{_criteria_text(criteria)}: {format_match(rec).removeprefix('- ')}"
    )


class VdmRecommendations(ReadOnlyComponent, type_token=TYPE_TOKEN, output_names=OUTPUT_NAMES):
    """VDM recommendations in one region, with optional ``fail_on`` gate and ``warn_on`` notes.

    Outputs (plain JSON so they diff cleanly): ``recommendations``, ``count``, ``open_count``,
    ``high_impact_count``, ``counts_by_type``, ``region``.

    A matching ``fail_on`` fails the run with a :class:`RecommendationGateError` listing every
    match, and ``warn_on`` logs one warning per match, both once every other resource of the
    program has registered: a preview that the gate fails still shows the whole diff first.
    The gate does not hold back the rest of the run: ``pulumi up`` applies the program's other
    resources, then fails. To keep a matching gate from applying anything, run a preview with
    it as a separate step before the ``up`` (``examples/pr-preview``). Invalid plain inputs
    still raise :class:`~vdm_resources._component.InputError` from the constructor.
    """

    recommendations: pulumi.Output[list[dict[str, Any]]]
    count: pulumi.Output[int]
    open_count: pulumi.Output[int]
    high_impact_count: pulumi.Output[int]
    counts_by_type: pulumi.Output[dict[str, int]]
    region: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        filter: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
        region: pulumi.Input[str] | None = None,
        fail_on: pulumi.Input[Mapping[str, Any]] | None = None,
        warn_on: pulumi.Input[Mapping[str, Any]] | None = None,
        assume_role: pulumi.Input[AssumeRoleArgs | Mapping[str, Any]] | None = None,
        profile: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        inputs = {
            "filter": filter,
            "region": region,
            "fail_on": fail_on,
            "warn_on": warn_on,
            "assume_role": assume_role,
            "profile": profile,
        }
        self._name = resource_name
        super().__init__(resource_name, inputs, opts)

        def report(read: dict[str, Any]) -> Awaitable[None] | None:
            if not read["warnings"] and not read["gate"]:
                return None
            return report_after_registrations(
                self, read["warnings"], read["gate"], RecommendationGateError
            )

        # warn_on's warnings and fail_on's error come from an Output of their own, which nothing
        # registers, exports or depends on, once every other registration of the program is
        # finished: the read never raises for a match (the outputs stay intact), and a preview
        # that the gate fails still shows the program's whole diff first (see _gate).
        expect_report(self._result)
        self._report = self._result.apply(report)

    def _check_plain(self, inputs: Mapping[str, Any]) -> None:
        if is_plain(inputs["filter"]):
            validate_filter(inputs["filter"], self._context)
        for prop in ("fail_on", "warn_on"):
            if is_plain(inputs[prop]):
                validate_criteria(inputs[prop], prop, self._context)

    def _prepare(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "filter": validate_filter(values["filter"], self._context),
            "fail_on": values["fail_on"]
            if validate_criteria(values["fail_on"], "fail_on", self._context)
            else None,
            "warn_on": values["warn_on"]
            if validate_criteria(values["warn_on"], "warn_on", self._context)
            else None,
        }

    def _fetch(self, region: str, target: AwsTarget, prepared: dict[str, Any]) -> dict[str, Any]:
        recs = fetch_recommendations(region, prepared["filter"], self._context, target=target)
        warn_on, fail_on = prepared["warn_on"], prepared["fail_on"]
        notes = match(recs, warn_on) if warn_on else []
        hits = match(recs, fail_on) if fail_on else []
        return {
            "recommendations": recs,
            "region": region,
            **summarize(recs),
            "warnings": [warning_message(self._name, warn_on, r) for r in notes],
            "gate": gate_message(self._name, fail_on, hits) if hits else None,
        }
