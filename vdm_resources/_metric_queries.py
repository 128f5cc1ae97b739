"""What a ``VdmMetrics`` may ask for: its queries and its window, checked before any call.

Kept apart from the component so the rules (AWS's model for names and limits, whole UTC days for
windows) read in one place; everything here is pure and usable without Pulumi.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any

from ._component import fail, require_choice
from ._model import DIMENSION_NAMES, MAX_DIMENSIONS, MAX_QUERY_ID_LENGTH, METRICS

DIMENSION_KEYS = DIMENSION_NAMES
MAX_ID_LENGTH = MAX_QUERY_ID_LENGTH
DEFAULT_LAST_DAYS = 7

Query = dict[str, Any]


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
        require_choice(key, DIMENSION_KEYS, where, "dimension", context)
        if not isinstance(value, str) or not value:
            raise fail(context, f"{where}: {key} value {value!r} must be a non-empty string")
        out[key] = value
    return dict(sorted(out.items()))


def _validate_metric(metric: Any, where: str, context: str | None) -> str:
    return require_choice(metric, METRICS, where, "metric", context)


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
