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
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pulumi

from . import _aws
from ._args import AssumeRoleArgs
from ._component import ReadOnlyComponent, is_plain
from ._credentials import AwsTarget
from ._metric_queries import Query, resolve_window, utc_today, validate_queries
from ._model import MAX_QUERIES, METRIC_NAMESPACE, METRICS, RATES
from .errors import MetricQueryError

OUTPUT_NAMES = (
    "series",
    "errors",
    "rates",
    "start_date",
    "end_date",
    "region",
)
TYPE_TOKEN = "vdm-resources:sesv2:VdmMetrics"

#: Queries per BatchGetMetricData call (the model's maximum).
BATCH_SIZE = MAX_QUERIES
NAMESPACE = METRIC_NAMESPACE


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
    target: AwsTarget | None = None,
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
            target=target,
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
    prepared: tuple[Sequence[Query], date, date],
    context: str,
    *,
    target: AwsTarget | None = None,
) -> dict[str, Any]:
    """Everything the component outputs, as plain JSON, for validated queries and a window
    (``_prepare``'s result: queries, first and last day)."""
    queries, first, last = prepared
    series, errors = fetch_metrics(region, queries, first, last, context, target)
    return {
        "series": series,
        "errors": errors,
        "rates": derive_rates(series),
        "start_date": first.isoformat(),
        "end_date": last.isoformat(),
        "region": region,
    }


class VdmMetrics(ReadOnlyComponent, type_token=TYPE_TOKEN, output_names=OUTPUT_NAMES):
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
        assume_role: pulumi.Input[AssumeRoleArgs | Mapping[str, Any]] | None = None,
        profile: pulumi.Input[str] | None = None,
        fail_on_error: bool = False,
        today: date | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        # "today" is fixed once, here, so every apply of this component agrees on the window.
        self._today = today or utc_today()
        self._fail_on_error = fail_on_error
        self._name = resource_name
        inputs = {
            "queries": queries,
            "metrics": metrics,
            "dimensions": dimensions,
            "last_days": last_days,
            "start_date": start_date,
            "end_date": end_date,
            "region": region,
            "assume_role": assume_role,
            "profile": profile,
        }
        super().__init__(resource_name, inputs, opts)

    def _check_plain(self, inputs: Mapping[str, Any]) -> None:
        if all(is_plain(inputs[k]) for k in ("queries", "metrics", "dimensions")):
            validate_queries(
                inputs["queries"], inputs["metrics"], inputs["dimensions"], self._context
            )
        if all(is_plain(inputs[k]) for k in ("last_days", "start_date", "end_date")):
            resolve_window(
                inputs["start_date"],
                inputs["end_date"],
                inputs["last_days"],
                self._today,
                self._context,
            )

    def _prepare(self, values: Mapping[str, Any]) -> tuple[list[Query], date, date]:
        checked = validate_queries(
            values["queries"], values["metrics"], values["dimensions"], self._context
        )
        first, last = resolve_window(
            values["start_date"],
            values["end_date"],
            values["last_days"],
            self._today,
            self._context,
        )
        return checked, first, last

    def _fetch(
        self, region: str, target: AwsTarget, prepared: tuple[list[Query], date, date]
    ) -> dict[str, Any]:
        return read_metrics(region, prepared, self._context, target=target)

    def _finish(self, out: dict[str, Any]) -> dict[str, Any]:
        if out["errors"]:
            if self._fail_on_error:
                raise MetricQueryError(
                    errors_message(self._name, out["errors"]),
                    code="QueryErrors",
                    operation="BatchGetMetricData",
                )
            for err in out["errors"]:
                pulumi.log.warn(
                    f"{self._context}: query {err['id']!r} failed: {err['code']}: {err['message']}",
                    self,
                )
        return out
