"""The data the emulator invents where AWS would report real traffic: metric values and
recommendations.

Everything here is a pure, deterministic function, so tests anywhere in the project can compute
the exact numbers and items the emulator answers with, without talking to it.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from importlib import resources
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID

from .._model import METRICS, RECOMMENDATION_TYPES

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


def generate_recommendations(
    n: int,
    seed: int | str = 0,
    *,
    region: str = "us-east-1",
    account_id: str = DEFAULT_ACCOUNT_ID,
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


def default_recommendations(
    region: str, account_id: str = DEFAULT_ACCOUNT_ID
) -> list[dict[str, Any]]:
    """What a region holds before anything is seeded (``data/recommendations.json``)."""
    text = resources.files(__package__).joinpath("data/recommendations.json").read_text("utf-8")
    doc = json.loads(text)
    return [
        {
            k: v.replace("{region}", region).replace("{account_id}", account_id)
            if isinstance(v, str)
            else v
            for k, v in raw.items()
        }
        for raw in doc.get("recommendations", [])
    ]
