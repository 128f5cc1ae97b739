"""Pulumi resources for Amazon SES Virtual Deliverability Manager (VDM).

Importing this package never touches AWS: clients are created lazily in the process that makes
the calls (the dynamic provider process, or the program for the read-only components).
"""

from __future__ import annotations

from importlib import metadata as _metadata

from ._args import AssumeRoleArgs
from .account_vdm_attributes import (
    AccountVdmAttributes,
    AccountVdmAttributesDashboardAttributesArgs,
    AccountVdmAttributesGuardianAttributesArgs,
    AccountVdmAttributesProvider,
)
from .configuration_set_vdm_options import (
    ConfigurationSetVdmOptions,
    ConfigurationSetVdmOptionsDashboardOptionsArgs,
    ConfigurationSetVdmOptionsGuardianOptionsArgs,
    ConfigurationSetVdmOptionsProvider,
)
from .errors import (
    VdmApiError,
    VdmError,
    VdmGateError,
    VdmNotFoundError,
    VdmThrottledError,
    VdmValidationError,
)
from .metrics import MetricQueryError, VdmMetrics
from .recommendations import RecommendationGateError, VdmRecommendations

try:  # one source of truth: pyproject.toml's version, as installed
    __version__ = _metadata.version("vdm-resources")
except _metadata.PackageNotFoundError:  # pragma: no cover - imported from a bare source tree
    __version__ = "0+unknown"

__all__ = [
    "AccountVdmAttributes",
    "AccountVdmAttributesDashboardAttributesArgs",
    "AccountVdmAttributesGuardianAttributesArgs",
    "AccountVdmAttributesProvider",
    "AssumeRoleArgs",
    "ConfigurationSetVdmOptions",
    "ConfigurationSetVdmOptionsDashboardOptionsArgs",
    "ConfigurationSetVdmOptionsGuardianOptionsArgs",
    "ConfigurationSetVdmOptionsProvider",
    "MetricQueryError",
    "RecommendationGateError",
    "VdmApiError",
    "VdmError",
    "VdmGateError",
    "VdmMetrics",
    "VdmNotFoundError",
    "VdmRecommendations",
    "VdmThrottledError",
    "VdmValidationError",
]
