"""The emulator's SESv2 backend: moto's ``SESV2Backend`` plus the VDM operations it lacks.

Configuration sets stay in moto's SES core backend so moto's own Create/Get/Delete/List
keep working; this module adds what VDM needs (account VDM attributes, per-set VDM options,
recommendations, metric data) and the state document that persistence and seeding share.

Metric values and generated recommendations are pure, deterministic functions so that tests
anywhere in the project can compute the exact numbers the emulator will answer with.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import json
import math
import os
import random
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from importlib import resources
from pathlib import Path
from typing import Any

from botocore.utils import parse_timestamp
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.base_backend import BackendDict
from moto.ses.models import ConfigurationSet, ses_backends
from moto.sesv2.models import SESV2Backend

from .._model import (
    FILTER_KEYS,
    METRICS,
    RECOMMENDATION_IMPACTS,
    RECOMMENDATION_STATUSES,
    RECOMMENDATION_TYPES,
    operation_model,
)
from .exceptions import AlreadyExistsException, BadRequestException, NotFoundException
from .validation import validate_configuration_set_name, validation_messages

ACCOUNT_ID: str = DEFAULT_ACCOUNT_ID
STATE_VERSION = 1

#: AWS allows one filter key alone, or STATUS combined with IMPACT or with TYPE.
ALLOWED_FILTER_COMBINATIONS: tuple[frozenset[str], ...] = (
    *(frozenset({k}) for k in FILTER_KEYS),
    frozenset({"STATUS", "IMPACT"}),
    frozenset({"STATUS", "TYPE"}),
)
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 100

#: Emulator rule for per-query errors: a dimension value starting with one of these prefixes
#: makes that query fail with the code, while the other queries in the batch still answer.
ERROR_PREFIXES: tuple[tuple[str, str], ...] = (
    ("denied", "ACCESS_DENIED"),
    ("fail", "INTERNAL_FAILURE"),
)
#: Guard against a typo'd year producing a gigantic reply; not an AWS-documented limit.
MAX_METRIC_DAYS = 366

_RECOMMENDATION_KEYS = (
    "ResourceArn",
    "Type",
    "Description",
    "Status",
    "CreatedTimestamp",
    "LastUpdatedTimestamp",
    "Impact",
)
_CONFIGURATION_SET_ATTRS = (
    ("TrackingOptions", "tracking_options"),
    ("DeliveryOptions", "delivery_options"),
    ("ReputationOptions", "reputation_options"),
    ("SendingOptions", "enabled"),
    ("SuppressionOptions", "suppression_options"),
    ("VdmOptions", "vdm_options"),
)
#: CreateConfigurationSet members moto's ConfigurationSet does not keep.
_CONFIGURATION_SET_EXTRAS = ("ArchivingOptions", "MessageSecurityOptions")


# --------------------------------------------------------------------------- metrics


def _as_day(day: date | datetime | str) -> date:
    if isinstance(day, datetime):
        if day.tzinfo is not None:
            day = day.astimezone(timezone.utc)
        return day.date()
    if isinstance(day, date):
        return day
    return date.fromisoformat(day[:10])


def _unit(key: str, salt: str) -> float:
    """A uniform number in [0, 1) derived from key and salt (stable across processes)."""
    digest = hashlib.sha256(f"{salt}|{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def metric_values(dimensions: Mapping[str, str], day: date | datetime | str) -> dict[str, int]:
    """Every VDM metric for one (dimensions, UTC day), derived from one SEND value.

    Deriving all metrics from SEND keeps a series internally plausible:
    SEND >= DELIVERY >= DELIVERY_OPEN >= DELIVERY_CLICK, OPEN <= DELIVERY_OPEN,
    CLICK <= DELIVERY_CLICK, COMPLAINT <= DELIVERY_COMPLAINT <= DELIVERY, and
    PERMANENT_BOUNCE + TRANSIENT_BOUNCE == SEND - DELIVERY.
    """
    dims_key = json.dumps(sorted(dimensions.items()))
    the_day = _as_day(day)
    key = dims_key + "|" + the_day.isoformat()
    # A stable level per dimension set, varied +-15% per day and lower at weekends, so a
    # series looks like traffic rather than noise.
    level = 2000 + 38000 * _unit(dims_key, "level")
    weekday_factor = 0.75 if the_day.weekday() >= 5 else 1.0
    send = math.floor(level * (0.85 + 0.3 * _unit(key, "send")) * weekday_factor)
    permanent = math.floor(send * (0.002 + 0.018 * _unit(key, "permanent")))
    transient = math.floor(send * (0.001 + 0.009 * _unit(key, "transient")))
    delivery = send - permanent - transient
    delivery_open = math.floor(delivery * (0.6 + 0.35 * _unit(key, "delivery_open")))
    delivery_click = math.floor(delivery_open * (0.5 + 0.4 * _unit(key, "delivery_click")))
    opened = math.floor(delivery_open * (0.1 + 0.4 * _unit(key, "open")))
    click = math.floor(delivery_click * (0.01 + 0.09 * _unit(key, "click")))
    delivery_complaint = math.floor(delivery * (0.3 + 0.5 * _unit(key, "delivery_complaint")))
    complaint = math.floor(delivery_complaint * (0.0001 + 0.0019 * _unit(key, "complaint")))
    return {
        "SEND": send,
        "COMPLAINT": complaint,
        "PERMANENT_BOUNCE": permanent,
        "TRANSIENT_BOUNCE": transient,
        "OPEN": opened,
        "CLICK": click,
        "DELIVERY": delivery,
        "DELIVERY_OPEN": delivery_open,
        "DELIVERY_CLICK": delivery_click,
        "DELIVERY_COMPLAINT": delivery_complaint,
    }


def metric_value(metric: str, dimensions: Mapping[str, str], day: date | datetime | str) -> int:
    """The value BatchGetMetricData answers for ``metric`` on one UTC ``day``.

    A pure function of its arguments (dimension order does not matter), so callers can
    assert exact numbers without talking to the emulator.
    """
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; expected one of {', '.join(METRICS)}")
    return metric_values(dimensions, day)[metric]


def metric_days(start: datetime, end: datetime) -> list[date]:
    """UTC days whose midnight-to-midnight span overlaps [start, end)."""
    start_utc = start.astimezone(timezone.utc)
    end_utc = end.astimezone(timezone.utc)
    days: list[date] = []
    day = start_utc.date()
    while datetime(day.year, day.month, day.day, tzinfo=timezone.utc) < end_utc:
        days.append(day)
        day += timedelta(days=1)
    return days


def _to_datetime(value: Any, field: str) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = parse_timestamp(value)
        except (TypeError, ValueError) as exc:
            raise BadRequestException(f"Invalid timestamp for parameter {field}: {value}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _epoch(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp())


def query_error(dimensions: Mapping[str, str]) -> str | None:
    """The per-query error code the emulator answers for these dimensions, if any."""
    for value in dimensions.values():
        for prefix, code in ERROR_PREFIXES:
            if str(value).startswith(prefix):
                return code
    return None


def answer_metric_queries(
    queries: Sequence[Mapping[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """BatchGetMetricData's ``(Results, Errors)`` for already model-validated queries."""
    seen: set[str] = set()
    plans: list[tuple[str, str, dict[str, str], list[date]]] = []
    for index, query in enumerate(queries):
        query_id = str(query["Id"])
        if query_id in seen:
            raise BadRequestException(f"Duplicate query Id in Queries[{index}].Id: {query_id}")
        seen.add(query_id)
        start = _to_datetime(query["StartDate"], f"Queries[{index}].StartDate")
        end = _to_datetime(query["EndDate"], f"Queries[{index}].EndDate")
        if end <= start:
            raise BadRequestException(
                f"Invalid value for parameter Queries[{index}].EndDate: it must be later than "
                "StartDate"
            )
        days = metric_days(start, end)
        if len(days) > MAX_METRIC_DAYS:
            raise BadRequestException(
                f"Invalid range for Queries[{index}]: at most {MAX_METRIC_DAYS} days per query"
            )
        plans.append((query_id, str(query["Metric"]), dict(query.get("Dimensions") or {}), days))
    results: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for query_id, metric, dimensions, days in plans:
        code = query_error(dimensions)
        if code == "ACCESS_DENIED":
            errors.append(
                {"Id": query_id, "Code": code, "Message": "Access denied to the requested data"}
            )
        elif code is not None:
            errors.append(
                {"Id": query_id, "Code": code, "Message": "Internal failure answering the query"}
            )
        else:
            results.append(
                {
                    "Id": query_id,
                    "Timestamps": [_epoch(d) for d in days],
                    "Values": [metric_value(metric, dimensions, d) for d in days],
                }
            )
    return results, errors


# --------------------------------------------------------------------------- recommendations

_DESCRIPTIONS = {
    "DKIM": "DKIM signing is not set up for {name}; mailbox providers may reject its mail.",
    "DMARC": "{name} has no DMARC record; publish one with at least p=none.",
    "SPF": "The SPF record of {name} does not authorize Amazon SES to send for it.",
    "BIMI": "{name} has no BIMI record; adding one shows your logo in supporting inboxes.",
    "COMPLAINT": "The complaint rate of {name} is above the recommended threshold.",
    "BOUNCE": "The bounce rate of {name} is above the recommended threshold.",
    "FEEDBACK_3P": "A third-party feedback loop reports complaints for {name}.",
    "IP_LISTING": "An IP address sending for {name} appears on a public block list.",
}


def _timestamp_number(value: Any, field: str) -> int | float:
    if isinstance(value, bool):
        raise BadRequestException(f"Invalid timestamp for {field}: {value}")
    if isinstance(value, (int, float)):
        number: float = float(value)
    else:
        number = _to_datetime(value, field).timestamp()
    return int(number) if number.is_integer() else number


def normalize_recommendation(
    raw: Mapping[str, Any], where: str = "recommendation"
) -> dict[str, Any]:
    """Check one recommendation against the output model and give it wire-ready values."""
    if not isinstance(raw, Mapping):
        raise BadRequestException(f"{where} must be a JSON object")
    missing = [k for k in _RECOMMENDATION_KEYS if k not in raw]
    if missing:
        raise BadRequestException(f"{where} is missing {', '.join(missing)}")
    for key, allowed in (
        ("Type", RECOMMENDATION_TYPES),
        ("Status", RECOMMENDATION_STATUSES),
        ("Impact", RECOMMENDATION_IMPACTS),
    ):
        if raw[key] not in allowed:
            raise BadRequestException(
                f"Invalid value for {where}.{key}: {raw[key]}, valid values: {', '.join(allowed)}"
            )
    if not isinstance(raw["ResourceArn"], str) or not raw["ResourceArn"]:
        raise BadRequestException(f"{where}.ResourceArn must be a non-empty string")
    return {
        "ResourceArn": raw["ResourceArn"],
        "Type": raw["Type"],
        "Description": str(raw["Description"]),
        "Status": raw["Status"],
        "CreatedTimestamp": _timestamp_number(raw["CreatedTimestamp"], f"{where}.CreatedTimestamp"),
        "LastUpdatedTimestamp": _timestamp_number(
            raw["LastUpdatedTimestamp"], f"{where}.LastUpdatedTimestamp"
        ),
        "Impact": raw["Impact"],
    }


def generate_recommendations(
    n: int,
    seed: int | str = 0,
    *,
    region: str = "us-east-1",
    account_id: str = ACCOUNT_ID,
    start: datetime = datetime(2024, 1, 1, tzinfo=timezone.utc),
) -> list[dict[str, Any]]:
    """``n`` plausible recommendations, identical for identical arguments.

    Each has a distinct ResourceArn so paging tests can detect duplicates and omissions.
    The result is wire-shaped (epoch-second timestamps) and can go straight into a seed.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    rng = random.Random(f"vdm-recommendations|{seed}")
    base = int(start.timestamp())
    out: list[dict[str, Any]] = []
    for i in range(n):
        rec_type = rng.choice(RECOMMENDATION_TYPES)
        name = f"d{i:05d}-{seed}.example.com"
        if rec_type == "IP_LISTING":
            arn = f"arn:aws:ses:{region}:{account_id}:dedicated-ip-pool/pool-{i:05d}"
        else:
            arn = f"arn:aws:ses:{region}:{account_id}:identity/{name}"
        status = "OPEN" if rng.random() < 0.7 else "FIXED"
        created = base + i * 3600 + rng.randrange(3600)
        updated = created + rng.randrange(86400 * (30 if status == "FIXED" else 5))
        out.append(
            {
                "ResourceArn": arn,
                "Type": rec_type,
                "Description": _DESCRIPTIONS[rec_type].format(name=name),
                "Status": status,
                "CreatedTimestamp": created,
                "LastUpdatedTimestamp": updated,
                "Impact": "HIGH" if rng.random() < 0.35 else "LOW",
            }
        )
    return out


def default_recommendations(region: str, account_id: str = ACCOUNT_ID) -> list[dict[str, Any]]:
    """What a region holds before anything is seeded (``data/recommendations.json``)."""
    text = resources.files(__package__).joinpath("data/recommendations.json").read_text("utf-8")
    doc = json.loads(text)
    out = []
    for i, raw in enumerate(doc.get("recommendations", [])):
        filled = {
            k: v.replace("{region}", region).replace("{account_id}", account_id)
            if isinstance(v, str)
            else v
            for k, v in raw.items()
        }
        out.append(normalize_recommendation(filled, f"default recommendation {i}"))
    return out


def _fingerprint(items: Sequence[Mapping[str, Any]], filter_: Mapping[str, str]) -> str:
    canonical = json.dumps([sorted(filter_.items()), list(items)], sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _encode_token(offset: int, fingerprint: str) -> str:
    raw = json.dumps({"o": offset, "f": fingerprint}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(token: str) -> tuple[int, str]:
    try:
        padded = token + "=" * (-len(token) % 4)
        doc = json.loads(base64.urlsafe_b64decode(padded.encode()))
        offset, fingerprint = doc["o"], doc["f"]
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise BadRequestException("Invalid NextToken") from exc
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise BadRequestException("Invalid NextToken")
    if not isinstance(fingerprint, str):
        raise BadRequestException("Invalid NextToken")
    return offset, fingerprint


def check_recommendation_filter(filter_: Mapping[str, str]) -> None:
    """AWS's combination rule, which the model's 1..2 map size cannot express."""
    keys = frozenset(filter_)
    if keys not in ALLOWED_FILTER_COMBINATIONS:
        raise BadRequestException(
            f"Invalid Filter combination {sorted(keys)}: allowed combinations are a single key "
            "(TYPE, IMPACT, STATUS or RESOURCE_ARN), STATUS with IMPACT, or STATUS with TYPE"
        )
    for key, allowed in (
        ("TYPE", RECOMMENDATION_TYPES),
        ("IMPACT", RECOMMENDATION_IMPACTS),
        ("STATUS", RECOMMENDATION_STATUSES),
    ):
        if key in filter_ and filter_[key] not in allowed:
            raise BadRequestException(
                f"Invalid value for parameter Filter.{key}, value: {filter_[key]}, "
                f"valid values: {', '.join(allowed)}"
            )


def page_recommendations(
    recommendations: Sequence[Mapping[str, Any]],
    filter_: Mapping[str, str] | None = None,
    page_size: int | None = None,
    next_token: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """One ListRecommendations page in stored order.

    The token carries the offset and a fingerprint of the filtered data, so paging stays
    consistent while the data is unchanged and a token from before a change is refused
    instead of silently skipping or repeating items.
    """
    filter_ = dict(filter_ or {})
    if filter_:
        check_recommendation_filter(filter_)
    size = DEFAULT_PAGE_SIZE if page_size is None else page_size
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise BadRequestException(
            f"Invalid value for parameter PageSize, value: {size}, valid range: 1-{MAX_PAGE_SIZE}"
        )
    field_of = {
        "TYPE": "Type",
        "IMPACT": "Impact",
        "STATUS": "Status",
        "RESOURCE_ARN": "ResourceArn",
    }
    matching = [
        dict(r) for r in recommendations if all(r[field_of[k]] == v for k, v in filter_.items())
    ]
    fingerprint = _fingerprint(matching, filter_)
    offset = 0
    if next_token is not None:
        offset, token_fingerprint = _decode_token(next_token)
        if token_fingerprint != fingerprint or offset > len(matching):
            raise BadRequestException(
                "NextToken is no longer valid: the recommendations or the Filter changed since "
                "it was issued"
            )
    page = matching[offset : offset + size]
    end = offset + len(page)
    token = _encode_token(end, fingerprint) if end < len(matching) else None
    return copy.deepcopy(page), token


# --------------------------------------------------------------------------- backend


def _render_vdm_attributes(stored: Mapping[str, Any]) -> dict[str, Any]:
    dashboard = stored.get("DashboardAttributes") or {}
    guardian = stored.get("GuardianAttributes") or {}
    return {
        "VdmEnabled": stored["VdmEnabled"],
        "DashboardAttributes": {
            "EngagementMetrics": dashboard.get("EngagementMetrics", "DISABLED")
        },
        "GuardianAttributes": {
            "OptimizedSharedDelivery": guardian.get("OptimizedSharedDelivery", "DISABLED")
        },
    }


class VdmSESV2Backend(SESV2Backend):
    """One account+region of SESv2 with VDM state on top of moto's backend."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        #: None until PutAccountVdmAttributes is first called, so GetAccount can omit it.
        self.vdm_attributes: dict[str, Any] | None = None
        self.recommendations: list[dict[str, Any]] = default_recommendations(
            region_name, account_id
        )
        self.configuration_set_extras: dict[str, dict[str, Any]] = {}

    # -- account

    def get_account(self) -> dict[str, Any]:
        account: dict[str, Any] = {
            "DedicatedIpAutoWarmupEnabled": False,
            "EnforcementStatus": "HEALTHY",
            "ProductionAccessEnabled": True,
            "SendQuota": {
                "Max24HourSend": 50000.0,
                "MaxSendRate": 14.0,
                "SentLast24Hours": float(self.core_backend.sent_message_count),
            },
            "SendingEnabled": True,
            "SuppressionAttributes": {"SuppressedReasons": ["BOUNCE", "COMPLAINT"]},
        }
        if self.vdm_attributes is not None:
            account["VdmAttributes"] = _render_vdm_attributes(self.vdm_attributes)
        return account

    def put_account_vdm_attributes(self, attributes: Mapping[str, Any]) -> None:
        """Nested attributes left out keep their previous value (AWS merges them)."""
        previous = self.vdm_attributes or {}
        merged: dict[str, Any] = {"VdmEnabled": attributes["VdmEnabled"]}
        for key in ("DashboardAttributes", "GuardianAttributes"):
            if key in attributes:
                merged[key] = copy.deepcopy(dict(attributes[key]))
            elif key in previous:
                merged[key] = previous[key]
        self.vdm_attributes = merged

    # -- configuration sets

    def create_configuration_set(
        self,
        configuration_set_name: str,
        tracking_options: dict[str, str],
        delivery_options: dict[str, Any],
        reputation_options: dict[str, Any],
        sending_options: dict[str, bool],
        tags: list[dict[str, str]],
        suppression_options: dict[str, list[str]],
        vdm_options: dict[str, dict[str, str]],
        extras: Mapping[str, Any] | None = None,
    ) -> None:
        if configuration_set_name in self.core_backend.config_sets:
            raise AlreadyExistsException(
                f"Configuration set <{configuration_set_name}> already exists."
            )
        super().create_configuration_set(
            configuration_set_name=configuration_set_name,
            tracking_options=tracking_options,
            delivery_options=delivery_options,
            reputation_options=reputation_options,
            sending_options=sending_options,
            tags=tags,
            suppression_options=suppression_options,
            vdm_options=vdm_options,
        )
        kept = {k: copy.deepcopy(v) for k, v in (extras or {}).items() if v}
        if kept:
            self.configuration_set_extras[configuration_set_name] = kept

    def create_configuration_set_from_request(self, request: Mapping[str, Any]) -> None:
        """Create from a CreateConfigurationSet request body (also used by seeds)."""
        self.create_configuration_set(
            configuration_set_name=request["ConfigurationSetName"],
            tracking_options=copy.deepcopy(request.get("TrackingOptions") or {}),
            delivery_options=copy.deepcopy(request.get("DeliveryOptions") or {}),
            reputation_options=copy.deepcopy(request.get("ReputationOptions") or {}),
            sending_options=copy.deepcopy(request.get("SendingOptions") or {}),
            tags=copy.deepcopy(request.get("Tags") or []),
            suppression_options=copy.deepcopy(request.get("SuppressionOptions") or {}),
            vdm_options=copy.deepcopy(request.get("VdmOptions") or {}),
            extras={k: request[k] for k in _CONFIGURATION_SET_EXTRAS if k in request},
        )

    def get_configuration_set(self, configuration_set_name: str) -> ConfigurationSet:
        if configuration_set_name not in self.core_backend.config_sets:
            raise NotFoundException(f"Configuration set <{configuration_set_name}> does not exist.")
        return super().get_configuration_set(configuration_set_name)

    def delete_configuration_set(self, configuration_set_name: str) -> None:
        self.get_configuration_set(configuration_set_name)
        super().delete_configuration_set(configuration_set_name)
        self.configuration_set_extras.pop(configuration_set_name, None)

    def describe_configuration_set(self, configuration_set_name: str) -> dict[str, Any]:
        """GetConfigurationSet's reply: only what was stored (empty options are omitted)."""
        config_set = self.get_configuration_set(configuration_set_name)
        out: dict[str, Any] = {"ConfigurationSetName": configuration_set_name}
        for key, attr in _CONFIGURATION_SET_ATTRS:
            value = getattr(config_set, attr, None)
            if isinstance(value, dict) and value:
                out[key] = copy.deepcopy(value)
        out.update(copy.deepcopy(self.configuration_set_extras.get(configuration_set_name, {})))
        out["Tags"] = copy.deepcopy(list(config_set.tags or []))
        return out

    def put_configuration_set_vdm_options(
        self, configuration_set_name: str, vdm_options: Mapping[str, Any] | None
    ) -> None:
        """Replaces the whole VdmOptions; None (or an empty object) clears the override."""
        config_set = self.get_configuration_set(configuration_set_name)
        config_set.vdm_options = copy.deepcopy(dict(vdm_options or {}))

    # -- recommendations and metrics

    def list_recommendations(
        self,
        filter_: Mapping[str, str] | None = None,
        page_size: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        return page_recommendations(self.recommendations, filter_, page_size, next_token)

    def set_recommendations(
        self, recommendations: Iterable[Mapping[str, Any]], *, append: bool = False
    ) -> None:
        normalized = [
            normalize_recommendation(r, f"recommendations[{i}]")
            for i, r in enumerate(recommendations)
        ]
        self.recommendations = [*self.recommendations, *normalized] if append else normalized

    def batch_get_metric_data(
        self, queries: Sequence[Mapping[str, Any]]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        return answer_metric_queries(queries)

    # -- state

    def export(self) -> dict[str, Any]:
        region: dict[str, Any] = {}
        if self.vdm_attributes is not None:
            region["vdm_attributes"] = copy.deepcopy(self.vdm_attributes)
        region["configuration_sets"] = [
            self.describe_configuration_set(name) for name in sorted(self.core_backend.config_sets)
        ]
        region["recommendations"] = copy.deepcopy(self.recommendations)
        return region


vdm_backends: BackendDict[VdmSESV2Backend] = BackendDict(VdmSESV2Backend, "sesv2")


def get_backend(region: str, account_id: str = ACCOUNT_ID) -> VdmSESV2Backend:
    return vdm_backends[account_id][region]


def reset_backends() -> None:
    """Forget every region (the SES core backend holds the configuration sets, so it goes too)."""
    vdm_backends.clear()
    ses_backends.clear()


def export_state(account_id: str = ACCOUNT_ID) -> dict[str, Any]:
    """The persisted document; it is also a valid seed (seeding it restores this state)."""
    regions: dict[str, Any] = {}
    account = vdm_backends.get(account_id)
    if account is not None:
        for region in sorted(account.keys()):
            regions[region] = account[region].export()
    return {"version": STATE_VERSION, "account_id": account_id, "regions": regions}


def _plan_region(region: str, raw: Any, account_id: str) -> dict[str, Any]:
    """Validate one region of a seed fully before anything is applied."""
    where = f"regions.{region}"
    if not isinstance(raw, Mapping):
        raise BadRequestException(f"{where} must be a JSON object")
    known = {
        "vdm_attributes",
        "configuration_sets",
        "recommendations",
        "generate_recommendations",
        "recommendations_mode",
    }
    unknown = sorted(set(raw) - known)
    if unknown:
        raise BadRequestException(f"{where}: unknown keys {unknown}; expected {sorted(known)}")
    plan: dict[str, Any] = {}
    if "vdm_attributes" in raw:
        # null means "never configured": GetAccount then omits VdmAttributes again.
        attrs = raw["vdm_attributes"]
        if attrs is not None:
            messages = validation_messages(
                operation_model("PutAccountVdmAttributes"), {"VdmAttributes": attrs}
            )
            if messages:
                raise BadRequestException(f"{where}.vdm_attributes: " + "; ".join(messages))
        plan["vdm_attributes"] = copy.deepcopy(attrs)
    sets = raw.get("configuration_sets", [])
    if not isinstance(sets, list):
        raise BadRequestException(f"{where}.configuration_sets must be a list")
    create = operation_model("CreateConfigurationSet")
    for i, spec in enumerate(sets):
        messages = validation_messages(create, spec) if isinstance(spec, Mapping) else []
        if not isinstance(spec, Mapping) or messages:
            raise BadRequestException(
                f"{where}.configuration_sets[{i}]: " + ("; ".join(messages) or "not an object")
            )
        validate_configuration_set_name(spec["ConfigurationSetName"])
    plan["configuration_sets"] = copy.deepcopy(sets)
    mode = raw.get("recommendations_mode", "replace")
    if mode not in ("replace", "append"):
        raise BadRequestException(f"{where}.recommendations_mode must be 'replace' or 'append'")
    recs: list[dict[str, Any]] | None = None
    if "recommendations" in raw:
        if not isinstance(raw["recommendations"], list):
            raise BadRequestException(f"{where}.recommendations must be a list")
        recs = [
            normalize_recommendation(r, f"{where}.recommendations[{i}]")
            for i, r in enumerate(raw["recommendations"])
        ]
    if "generate_recommendations" in raw:
        gen = raw["generate_recommendations"]
        count = gen.get("count") if isinstance(gen, Mapping) else None
        if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= 100_000:
            raise BadRequestException(
                f"{where}.generate_recommendations.count must be an integer in 0..100000"
            )
        generated = generate_recommendations(
            count, gen.get("seed", 0), region=region, account_id=account_id
        )
        recs = [*(recs or []), *generated]
    if recs is not None:
        plan["recommendations"] = (recs, mode == "append")
    return plan


def apply_seed(doc: Mapping[str, Any], account_id: str = ACCOUNT_ID) -> None:
    """Merge a seed into the current state; the whole document is checked first.

    Per region: ``vdm_attributes`` replaces the account attributes, each entry of
    ``configuration_sets`` (a CreateConfigurationSet body) creates or replaces that set,
    ``recommendations`` and ``generate_recommendations`` replace the region's
    recommendations, or are appended with ``"recommendations_mode": "append"``.
    """
    if not isinstance(doc, Mapping):
        raise BadRequestException("seed must be a JSON object")
    regions = doc.get("regions", {})
    if not isinstance(regions, Mapping):
        raise BadRequestException("seed.regions must be an object keyed by region")
    plans = {
        str(region): _plan_region(str(region), raw, account_id) for region, raw in regions.items()
    }
    for region, plan in plans.items():
        backend = get_backend(region, account_id)
        if "vdm_attributes" in plan:
            backend.vdm_attributes = plan["vdm_attributes"]
        for spec in plan["configuration_sets"]:
            name = spec["ConfigurationSetName"]
            if name in backend.core_backend.config_sets:
                backend.delete_configuration_set(name)
            backend.create_configuration_set_from_request(spec)
        if "recommendations" in plan:
            recs, append = plan["recommendations"]
            backend.set_recommendations(recs, append=append)


def import_state(doc: Mapping[str, Any], account_id: str = ACCOUNT_ID) -> None:
    """Replace everything with a document written by ``export_state``."""
    reset_backends()
    apply_seed(doc, account_id)


def set_recommendations(
    region: str,
    recommendations: Iterable[Mapping[str, Any]],
    *,
    append: bool = False,
    account_id: str = ACCOUNT_ID,
) -> None:
    """In-process equivalent of seeding one region's recommendations."""
    get_backend(region, account_id).set_recommendations(recommendations, append=append)


def read_state_file(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """None when there is no usable state yet (missing or empty file), so seeding applies."""
    file = Path(path)
    if not file.exists():
        return None
    text = file.read_text("utf-8")
    if not text.strip():
        return None
    doc = json.loads(text)
    if not isinstance(doc, dict):
        raise ValueError(f"{file}: state must be a JSON object")
    if not doc.get("regions"):
        return None
    return doc


def write_state_file(path: str | os.PathLike[str], doc: Mapping[str, Any]) -> None:
    """Atomic replace, so a crash or kill mid-write never leaves a truncated state file."""
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{file.name}.", suffix=".tmp", dir=file.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(doc, handle, indent=1, sort_keys=True)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
