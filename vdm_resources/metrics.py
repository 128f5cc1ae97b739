"""``VdmMetrics``: VDM metric series and the rates people read off them, as stack outputs.

Like :mod:`vdm_resources.recommendations` this is a read-only component that reads in the program
process (so previews show the numbers too). ``BatchGetMetricData`` takes at most 10 queries per
call and AWS allows 16 calls/s and 160 queries/s; batching is here, pacing is ``_aws.call``'s
job (it is told how many queries each call carries).

Windows are whole UTC days, both ends inclusive. ``last_days=N`` means the N complete days
before ``today``: today's numbers are still moving, and including them would make the outputs
(and so the stack) change on every run.

The pure helpers (:func:`validate_queries`, :func:`resolve_window`, :func:`batches`,
:func:`fetch_metrics`, :func:`derive_rates`) are usable without Pulumi.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pulumi

from . import _aws
from ._component import (
    apply_error,
    check_plain_region,
    configured_region,
    fail,
    is_plain,
    publish,
    run_blocking,
    validate_region,
)
from .errors import VdmApiError, VdmError

OUTPUT_NAMES = (
    "series",
    "errors",
    "rates",
    "start_date",
    "end_date",
    "region",
)
TYPE_TOKEN = "vdm-resources:sesv2:VdmMetrics"

METRICS = (
    "SEND",
    "COMPLAINT",
    "PERMANENT_BOUNCE",
    "TRANSIENT_BOUNCE",
    "OPEN",
    "CLICK",
    "DELIVERY",
    "DELIVERY_OPEN",
    "DELIVERY_CLICK",
    "DELIVERY_COMPLAINT",
)
#: botocore's sesv2 model: ``Dimensions`` is optional, and when present holds 1 to 3 of these.
DIMENSION_KEYS = ("EMAIL_IDENTITY", "CONFIGURATION_SET", "ISP", "TENANT_NAME")
MAX_DIMENSIONS = 3
#: The model's QueryIdentifier length.
MAX_ID_LENGTH = 255
#: Queries per BatchGetMetricData call (the model's maximum).
BATCH_SIZE = 10
DEFAULT_LAST_DAYS = 7
NAMESPACE = "VDM"

#: Derived rates: name -> alternatives of (numerator metrics, denominator metric); the first
#: alternative whose metrics were all requested (and answered) is used.
RATES: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "delivery_rate": ((("DELIVERY",), "SEND"),),
    "complaint_rate": ((("COMPLAINT",), "SEND"), (("DELIVERY_COMPLAINT",), "DELIVERY")),
    "bounce_rate": ((("PERMANENT_BOUNCE", "TRANSIENT_BOUNCE"), "SEND"),),
    "open_rate": ((("DELIVERY_OPEN",), "DELIVERY"),),
    "click_rate": ((("DELIVERY_CLICK",), "DELIVERY"),),
}

Query = dict[str, Any]


class MetricQueryError(VdmApiError, pulumi.RunError):
    """``fail_on_error`` and some queries failed; a ``RunError`` so Pulumi prints just the text."""


def validate_dimensions(dimensions: Any, where: str, context: str | None = None) -> dict[str, str]:
    """Dimensions as a sorted plain dict; ``None``/``{}`` mean "whole account" (none sent)."""
    if dimensions is None:
        return {}
    if not isinstance(dimensions, Mapping):
        raise fail(
            context,
            f"{where}: {dimensions!r} must be a mapping of dimension names to values, like "
            "{'EMAIL_IDENTITY': 'example.com'}",
        )
    if len(dimensions) > MAX_DIMENSIONS:
        raise fail(
            context,
            f"{where}: {dict(dimensions)!r} has {len(dimensions)} dimensions; at most "
            f"{MAX_DIMENSIONS} are allowed",
        )
    out: dict[str, str] = {}
    for key, value in dimensions.items():
        if key not in DIMENSION_KEYS:
            hint = ""
            if isinstance(key, str) and key.upper() in DIMENSION_KEYS:
                hint = f" (names are upper case: {key.upper()!r})"
            raise fail(
                context,
                f"{where}: unknown dimension {key!r}{hint}; allowed: {', '.join(DIMENSION_KEYS)}",
            )
        if not isinstance(value, str) or not value:
            raise fail(context, f"{where}: {key} value {value!r} must be a non-empty string")
        out[key] = value
    return dict(sorted(out.items()))


def _validate_metric(metric: Any, where: str, context: str | None) -> str:
    if metric not in METRICS:
        hint = ""
        if isinstance(metric, str) and metric.upper() in METRICS:
            hint = f" (names are upper case: {metric.upper()!r})"
        raise fail(
            context, f"{where}: {metric!r} is not a VDM metric{hint}; allowed: {', '.join(METRICS)}"
        )
    return str(metric)


def validate_queries(
    queries: Sequence[Mapping[str, Any]] | None = None,
    metrics: Sequence[str] | None = None,
    dimensions: Mapping[str, Any] | None = None,
    context: str | None = None,
) -> list[Query]:
    """The queries to run, as ``{id, metric, dimensions}`` dicts in the order given.

    The ``metrics`` + ``dimensions`` form expands to one query per metric, with the metric's
    lower-case name as its id (``send``, ``delivery``...). Mixing the two forms is refused: which
    dimensions would an explicit query get?
    """
    if queries is not None and (metrics is not None or dimensions is not None):
        raise fail(
            context,
            "queries: pass either queries=[...] or metrics=[...] (with dimensions={...}), not both",
        )
    if queries is None:
        if metrics is None:
            raise fail(
                context,
                "metrics: nothing to read; pass metrics=['SEND', ...] (with dimensions={...}) or "
                "queries=[{'id': ..., 'metric': ..., 'dimensions': {...}}, ...]",
            )
        if isinstance(metrics, str) or not isinstance(metrics, Sequence) or not metrics:
            raise fail(context, f"metrics: {metrics!r} must be a non-empty list of metric names")
        dims = validate_dimensions(dimensions, "dimensions", context)
        seen: set[str] = set()
        out: list[Query] = []
        for i, metric in enumerate(metrics):
            name = _validate_metric(metric, f"metrics[{i}]", context)
            if name in seen:
                raise fail(context, f"metrics[{i}]: {name!r} is listed twice")
            seen.add(name)
            out.append({"id": name.lower(), "metric": name, "dimensions": dims})
        return out
    if isinstance(queries, (str, Mapping)) or not isinstance(queries, Sequence) or not queries:
        raise fail(
            context,
            f"queries: {queries!r} must be a non-empty list of "
            "{'id': ..., 'metric': ..., 'dimensions': {...}}",
        )
    ids: set[str] = set()
    out = []
    for i, query in enumerate(queries):
        where = f"queries[{i}]"
        if not isinstance(query, Mapping):
            raise fail(context, f"{where}: {query!r} must be a mapping with id, metric, dimensions")
        # Sorted by repr: keys of mixed types (0 and "") must not make the sort itself fail.
        unknown = sorted(set(query) - {"id", "metric", "dimensions"}, key=repr)
        if unknown:
            raise fail(
                context,
                f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; allowed: id, metric, "
                "dimensions",
            )
        query_id = query.get("id")
        if not isinstance(query_id, str) or not 1 <= len(query_id) <= MAX_ID_LENGTH:
            raise fail(
                context,
                f"{where}.id: {query_id!r} must be a string of 1 to {MAX_ID_LENGTH} characters",
            )
        if query_id in ids:
            raise fail(
                context, f"{where}.id: {query_id!r} is used by an earlier query; ids must be unique"
            )
        ids.add(query_id)
        metric = _validate_metric(query.get("metric"), f"{where}.metric", context)
        dims = validate_dimensions(query.get("dimensions"), f"{where}.dimensions", context)
        out.append({"id": query_id, "metric": metric, "dimensions": dims})
    return out


def _as_date(value: Any, prop: str, context: str | None) -> date:
    if isinstance(value, datetime):
        dt = value.astimezone(timezone.utc) if value.tzinfo else value
        return dt.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise fail(context, f"{prop}: {value!r} is not a date; use 'YYYY-MM-DD' or a datetime.date")


def utc_today() -> date:
    return datetime.now(timezone.utc).date()


def resolve_window(
    start_date: Any = None,
    end_date: Any = None,
    last_days: Any = None,
    today: date | None = None,
    context: str | None = None,
) -> tuple[date, date]:
    """The window as inclusive UTC dates ``(first, last)``.

    Nothing given means the last 7 complete days. A window ending after ``today`` is refused:
    there is no data from the future, and a typo'd year would otherwise read as an empty series.
    """
    today = today or utc_today()
    if last_days is not None:
        if start_date is not None or end_date is not None:
            raise fail(context, "last_days: pass either last_days or start_date/end_date, not both")
        if isinstance(last_days, bool) or not isinstance(last_days, int) or last_days < 1:
            raise fail(context, f"last_days: {last_days!r} must be a whole number of days >= 1")
        try:
            return today - timedelta(days=last_days), today - timedelta(days=1)
        except OverflowError:
            raise fail(
                context, f"last_days: {last_days!r} reaches back before the year 1"
            ) from None
    if start_date is None:
        if end_date is not None:
            raise fail(context, "end_date: given without start_date; pass start_date too")
        return resolve_window(last_days=DEFAULT_LAST_DAYS, today=today, context=context)
    first = _as_date(start_date, "start_date", context)
    last = (
        _as_date(end_date, "end_date", context)
        if end_date is not None
        else today - timedelta(days=1)
    )
    if last > today:
        raise fail(context, f"end_date: {last.isoformat()} is after today ({today.isoformat()})")
    if first > last:
        raise fail(
            context,
            f"start_date: {first.isoformat()} is after end_date {last.isoformat()}; both ends "
            "are inclusive, so a one-day window has start_date == end_date",
        )
    return first, last


# ---------------------------------------------------------------------------------------------
# Requests and responses.
# ---------------------------------------------------------------------------------------------


def batches(items: Sequence[Query], size: int = BATCH_SIZE) -> list[list[Query]]:
    if size < 1:
        raise ValueError("size must be >= 1")
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def build_request(batch: Sequence[Query], first: date, last: date) -> dict[str, Any]:
    """One call's parameters. ``EndDate`` is the midnight after ``last``: the API's interval
    is half-open, and the window's last day must be in it."""
    start, end = _midnight(first), _midnight(last + timedelta(days=1))
    queries = []
    for q in batch:
        api: dict[str, Any] = {
            "Id": q["id"],
            "Namespace": NAMESPACE,
            "Metric": q["metric"],
            "StartDate": start,
            "EndDate": end,
        }
        if q["dimensions"]:
            api["Dimensions"] = dict(q["dimensions"])
        queries.append(api)
    return {"Queries": queries}


def iso_date(value: Any) -> str:
    """A result timestamp as its UTC date; botocore gives local-time datetimes for epochs."""
    if isinstance(value, datetime):
        dt = value.astimezone(timezone.utc) if value.tzinfo else value
        return dt.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, timezone.utc).date().isoformat()
    return str(value)[:10]


def fetch_metrics(
    region: str,
    queries: Sequence[Query],
    first: date,
    last: date,
    context: str,
) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """``(series, errors)`` for validated queries over the inclusive window ``first..last``.

    ``series`` maps id -> {metric, dimensions, timestamps, values} for every query that
    answered, in the queries' order; ``errors`` lists {id, code, message} for those that did
    not, including any the API silently left out (so a missing series is never mistaken for a
    quiet one).
    """
    by_id = {q["id"]: q for q in queries}
    answered: dict[str, dict[str, Any]] = {}
    errors: list[dict[str, Any]] = []
    for batch in batches(queries):
        reply = _aws.call(
            "BatchGetMetricData",
            region,
            build_request(batch, first, last),
            context=context,
            queries=len(batch),
        )
        batch_ids = {q["id"] for q in batch}
        for result in reply.get("Results") or []:
            query_id = result.get("Id")
            if query_id not in batch_ids:
                continue
            points = sorted(
                zip(
                    (iso_date(t) for t in result.get("Timestamps") or []),
                    (int(v) for v in result.get("Values") or []),
                    strict=False,
                )
            )
            query = by_id[query_id]
            answered[query_id] = {
                "metric": query["metric"],
                "dimensions": dict(query["dimensions"]),
                "timestamps": [p[0] for p in points],
                "values": [p[1] for p in points],
            }
        failed = set()
        for err in reply.get("Errors") or []:
            failed.add(err.get("Id"))
            errors.append(
                {"id": err.get("Id"), "code": err.get("Code"), "message": err.get("Message")}
            )
        for q in batch:
            if q["id"] not in answered and q["id"] not in failed:
                errors.append(
                    {
                        "id": q["id"],
                        "code": "NO_RESULT",
                        "message": "BatchGetMetricData returned neither a result nor an error "
                        "for this query",
                    }
                )
    series = {q["id"]: answered[q["id"]] for q in queries if q["id"] in answered}
    return series, errors


def _dimension_key(dimensions: Mapping[str, str]) -> str:
    return json.dumps(sorted(dimensions.items()))


def derive_rates(series: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Window rates per dimension set, from the series' totals.

    A rate appears only when every metric it needs was read for that dimension set (an absent
    rate means "not asked", which must not look like zero); it is None when its denominator
    totals 0. Sets come out sorted by their dimensions so the output order is stable.
    """
    groups: dict[str, dict[str, Any]] = {}
    for item in series.values():
        dims = dict(item["dimensions"])
        group = groups.setdefault(_dimension_key(dims), {"dimensions": dims, "totals": {}})
        group["totals"].setdefault(item["metric"], sum(int(v) for v in item["values"]))
    out: list[dict[str, Any]] = []
    for key in sorted(groups):
        group = groups[key]
        totals: dict[str, int] = group["totals"]
        entry: dict[str, Any] = {
            "dimensions": group["dimensions"],
            "totals": {m: totals[m] for m in METRICS if m in totals},
        }
        for rate, alternatives in RATES.items():
            for numerators, denominator in alternatives:
                if denominator in totals and all(n in totals for n in numerators):
                    total = totals[denominator]
                    entry[rate] = sum(totals[n] for n in numerators) / total if total else None
                    break
        out.append(entry)
    return out


def errors_message(name: str, errors: Sequence[Mapping[str, Any]]) -> str:
    return "\n".join(
        [
            f"VdmMetrics {name!r}: {len(errors)} metric query(ies) failed (fail_on_error=True):",
            *(f"- {e['id']}: {e['code']}: {e['message']}" for e in errors),
        ]
    )


def read_metrics(
    region: str,
    queries: Sequence[Query],
    first: date,
    last: date,
    context: str,
) -> dict[str, Any]:
    """Everything the component outputs, as plain JSON."""
    series, errors = fetch_metrics(region, queries, first, last, context)
    return {
        "series": series,
        "errors": errors,
        "rates": derive_rates(series),
        "start_date": first.isoformat(),
        "end_date": last.isoformat(),
        "region": region,
    }


class VdmMetrics(pulumi.ComponentResource):
    """VDM metric series over a window of whole UTC days, with derived rates.

    Name the reads either as ``queries=[{id, metric, dimensions}]`` or as ``metrics=[...]`` plus
    one ``dimensions={...}`` (ids are then the metrics' lower-case names). The window is
    ``last_days`` (default 7 when no dates are given) or ``start_date``..``end_date``
    (inclusive; ``end_date`` defaults to yesterday). ``today`` pins "now" for ``last_days``.
    Per-query failures are warnings and appear in ``errors``; ``fail_on_error=True`` makes
    them fail the run instead.

    Outputs: ``series`` (id -> {metric, dimensions, timestamps, values}), ``errors`` ([{id, code,
    message}]), ``rates`` ([{dimensions, totals, delivery_rate, ...}]), ``start_date``,
    ``end_date`` (inclusive ISO dates) and ``region``.
    """

    series: pulumi.Output[dict[str, dict[str, Any]]]
    errors: pulumi.Output[list[dict[str, Any]]]
    rates: pulumi.Output[list[dict[str, Any]]]
    start_date: pulumi.Output[str]
    end_date: pulumi.Output[str]
    region: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        queries: pulumi.Input[Sequence[Mapping[str, Any]]] | None = None,
        metrics: pulumi.Input[Sequence[str]] | None = None,
        dimensions: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
        last_days: pulumi.Input[int] | None = None,
        start_date: pulumi.Input[str] | date | None = None,
        end_date: pulumi.Input[str] | date | None = None,
        region: pulumi.Input[str] | None = None,
        fail_on_error: bool = False,
        today: date | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        context = f"VdmMetrics {resource_name!r}"
        # "today" is fixed once, here, so every apply of this component agrees on the window.
        fixed_today = today or utc_today()
        inputs = (queries, metrics, dimensions, last_days, start_date, end_date, region)
        if all(is_plain(v) for v in inputs[:3]):
            validate_queries(queries, metrics, dimensions, context)  # type: ignore[arg-type]
        if all(is_plain(v) for v in inputs[3:6]):
            resolve_window(start_date, end_date, last_days, fixed_today, context)
        configured = configured_region()
        check_plain_region(region, configured, context)

        super().__init__(TYPE_TOKEN, resource_name, {}, opts)

        def read(args: list[Any]) -> Awaitable[dict[str, Any]]:
            (raw_queries, raw_metrics, raw_dims, raw_last, raw_start, raw_end, raw_region) = args
            try:
                checked = validate_queries(raw_queries, raw_metrics, raw_dims, context)
                first, last = resolve_window(raw_start, raw_end, raw_last, fixed_today, context)
                resolved = _aws.resolve_region(validate_region(raw_region, context), configured)
            except VdmError as exc:
                raise apply_error(exc, context) from exc

            async def run() -> dict[str, Any]:
                try:
                    out: dict[str, Any] = await run_blocking(
                        read_metrics, resolved, checked, first, last, context
                    )
                except VdmError as exc:
                    raise apply_error(exc, context) from exc
                if out["errors"]:
                    if fail_on_error:
                        raise MetricQueryError(
                            errors_message(resource_name, out["errors"]),
                            code="QueryErrors",
                            operation="BatchGetMetricData",
                        )
                    for err in out["errors"]:
                        pulumi.log.warn(
                            f"{context}: query {err['id']!r} failed: {err['code']}: "
                            f"{err['message']}",
                            self,
                        )
                return out

            return run()

        result: pulumi.Output[dict[str, Any]] = pulumi.Output.all(
            *(pulumi.Output.from_input(v) for v in inputs)
        ).apply(read)  # type: ignore[arg-type]

        publish(self, result, OUTPUT_NAMES)
