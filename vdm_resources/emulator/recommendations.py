"""ListRecommendations' rules: what a recommendation is, which filters AWS allows, and paging.

Shared by the backend (answers) and the seed documents (``state``), which take the same
recommendations and must refuse the same malformed ones.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from moto.core.exceptions import InvalidToken
from moto.utilities.paginator import Paginator

from .._model import (
    FILTER_KEYS,
    RECOMMENDATION_IMPACTS,
    RECOMMENDATION_STATUSES,
    RECOMMENDATION_TYPES,
)
from .exceptions import BadRequestException
from .validation import to_datetime

#: AWS allows one filter key alone, or STATUS combined with IMPACT or with TYPE.
ALLOWED_FILTER_COMBINATIONS: tuple[frozenset[str], ...] = (
    *(frozenset({k}) for k in FILTER_KEYS),
    frozenset({"STATUS", "IMPACT"}),
    frozenset({"STATUS", "TYPE"}),
)
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 100
_FILTER_FIELDS = {
    "TYPE": "Type",
    "IMPACT": "Impact",
    "STATUS": "Status",
    "RESOURCE_ARN": "ResourceArn",
}

_RECOMMENDATION_KEYS = (
    "ResourceArn",
    "Type",
    "Description",
    "Status",
    "CreatedTimestamp",
    "LastUpdatedTimestamp",
    "Impact",
)


def _timestamp_number(value: Any, field: str) -> int | float:
    if isinstance(value, bool):
        raise BadRequestException(f"Invalid timestamp for {field}: {value}")
    if isinstance(value, (int, float)):
        number: float = float(value)
    else:
        number = to_datetime(value, field).timestamp()
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
    """One ListRecommendations page in stored order, paged by moto's ``Paginator``.

    The paginator refuses a token issued for other parameters; giving it a fingerprint of the
    filtered data as one of them makes a token from before a change refused too, instead of
    silently skipping or repeating items. Items are paged by position, since two
    recommendations may be identical.
    """
    filter_ = dict(filter_ or {})
    if filter_:
        check_recommendation_filter(filter_)
    size = DEFAULT_PAGE_SIZE if page_size is None else page_size
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise BadRequestException(
            f"Invalid value for parameter PageSize, value: {size}, valid range: 1-{MAX_PAGE_SIZE}"
        )
    matching = [
        dict(r)
        for r in recommendations
        if all(r[_FILTER_FIELDS[k]] == v for k, v in filter_.items())
    ]
    canonical = json.dumps([sorted(filter_.items()), matching], sort_keys=True)
    try:
        paginator = Paginator(
            max_results=size,
            starting_token=next_token,
            unique_attribute="position",
            param_values_to_check={"fingerprint": hashlib.sha256(canonical.encode()).hexdigest()},
        )
        page, token = paginator.paginate([{"position": i} for i in range(len(matching))])
    except (InvalidToken, AttributeError, KeyError, TypeError) as exc:
        # AttributeError/KeyError/TypeError: a token that decodes to something not a token.
        raise BadRequestException(
            "Invalid NextToken: it is malformed, or the recommendations or the Filter changed "
            "since it was issued"
        ) from exc
    return [copy.deepcopy(matching[p["position"]]) for p in page], token
