"""AWS's SESv2 vocabulary, read from botocore's service model: the one place it comes from.

Enum values (recommendation types, impacts, statuses, metrics, dimensions, feature statuses) and
limits (queries per call, dimensions per query, id length) are AWS's published contract; copying
them by hand into the package, the emulator and the tests made three lists that drift apart when
AWS adds a value. Reading them from the installed botocore means a botocore upgrade teaches the
package, its validation messages and the emulator the new values together.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Literal

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape


@cache
def service_model() -> ServiceModel:
    """The installed botocore's sesv2 model; loading it is slow, so it is loaded once."""
    return botocore.session.get_session().get_service_model("sesv2")


def operation_model(name: str) -> OperationModel:
    return service_model().operation_model(name)


def shape(name: str) -> Shape:
    return service_model().shape_for(name)


def enum(name: str) -> tuple[str, ...]:
    """The values of one of the model's enum shapes, in the model's order."""
    values = tuple(shape(name).metadata.get("enum") or ())
    if not values:  # pragma: no cover - a botocore that dropped the enum is a hard error
        raise RuntimeError(f"botocore's sesv2 model has no values for {name}")
    return values


def member(shape_name: str, value: str) -> str:
    """``value``, after checking it is one of the model's ``shape_name`` values.

    The package's logic needs a few of AWS's values by name (a rate is DELIVERY over SEND); they
    are named here only, and a botocore whose model no longer has one fails at import rather
    than silently never matching.
    """
    if value not in enum(shape_name):  # pragma: no cover - a botocore that renamed a value
        raise RuntimeError(f"botocore's sesv2 model has no {value!r} in {shape_name}")
    return value


def limit(name: str, bound: str) -> int:
    """``min`` or ``max`` of a shape (a list's length, a string's length, a map's size)."""
    return int(shape(name).metadata[bound])


FEATURE_STATUSES = enum("FeatureStatus")
if TYPE_CHECKING:  # type checkers cannot read botocore's model; at run time it is a Literal
    FeatureStatus = str
else:
    FeatureStatus = Literal[FEATURE_STATUSES]
RECOMMENDATION_TYPES = enum("RecommendationType")
RECOMMENDATION_IMPACTS = enum("RecommendationImpact")
RECOMMENDATION_STATUSES = enum("RecommendationStatus")
FILTER_KEYS = enum("ListRecommendationsFilterKey")
#: A filter holds 1 to this many keys (which pairs are allowed is documented, not modelled).
FILTER_MAX_KEYS = limit("ListRecommendationsFilter", "max")
#: A filter value's length.
FILTER_VALUE_MAX = limit("ListRecommendationFilterValue", "max")
METRICS = enum("Metric")
DIMENSION_NAMES = enum("MetricDimensionName")
METRIC_NAMESPACE = enum("MetricNamespace")[0]
QUERY_ERROR_CODES = enum("QueryErrorCode")
#: Queries per BatchGetMetricData call.
MAX_QUERIES = limit("BatchGetMetricDataQueries", "max")
#: Dimensions per query (when present).
MAX_DIMENSIONS = limit("Dimensions", "max")
#: A query's Id length.
MAX_QUERY_ID_LENGTH = limit("QueryIdentifier", "max")

# AWS's values the package's logic names (see ``member``).
ENABLED = member("FeatureStatus", "ENABLED")
DISABLED = member("FeatureStatus", "DISABLED")
OPEN = member("RecommendationStatus", "OPEN")
HIGH = member("RecommendationImpact", "HIGH")


def _filter_key(name: str) -> str:
    return member("ListRecommendationsFilterKey", name)


#: ListRecommendations filter keys with a fixed set of values (RESOURCE_ARN has none).
FILTER_KEY_VALUES: dict[str, tuple[str, ...]] = {
    _filter_key("TYPE"): RECOMMENDATION_TYPES,
    _filter_key("IMPACT"): RECOMMENDATION_IMPACTS,
    _filter_key("STATUS"): RECOMMENDATION_STATUSES,
}
#: The two-key filters AWS accepts (documented, not modelled); any single key is accepted too.
FILTER_PAIRS = (
    frozenset({_filter_key("STATUS"), _filter_key("IMPACT")}),
    frozenset({_filter_key("STATUS"), _filter_key("TYPE")}),
)


def _metric(name: str) -> str:
    return member("Metric", name)


#: VDM's derived rates: name -> alternatives of (numerator metrics, denominator metric); the
#: first alternative whose metrics were all requested (and answered) is used.
RATES: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "delivery_rate": (((_metric("DELIVERY"),), _metric("SEND")),),
    "complaint_rate": (
        ((_metric("COMPLAINT"),), _metric("SEND")),
        ((_metric("DELIVERY_COMPLAINT"),), _metric("DELIVERY")),
    ),
    "bounce_rate": (((_metric("PERMANENT_BOUNCE"), _metric("TRANSIENT_BOUNCE")), _metric("SEND")),),
    "open_rate": (((_metric("DELIVERY_OPEN"),), _metric("DELIVERY")),),
    "click_rate": (((_metric("DELIVERY_CLICK"),), _metric("DELIVERY")),),
}
