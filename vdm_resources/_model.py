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
