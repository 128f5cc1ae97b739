"""One shape for the rest of the code: pydantic models of the resources' properties, and the
expand/flatten functions that translate them to and from SESv2's API shapes.

Keeping the translation at the API boundary (as terraform-provider-aws does) means providers,
diffs and tests all speak the snake_case shape users write, and only this module knows that AWS
calls the same thing ``DashboardAttributes.EngagementMetrics`` on the account and
``DashboardOptions.EngagementMetrics`` on a configuration set.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

FEATURE_STATUSES = ("ENABLED", "DISABLED")
FeatureStatus = Literal["ENABLED", "DISABLED"]
CONFIGURATION_SET_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# AWS region names: partition prefix, area, number (us-east-1, eu-central-2, us-gov-west-1, ...).
REGION_NAME = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")


class _Strict(BaseModel):
    # extra="forbid": a misspelt key ("engagement_metric") must fail at preview, not be ignored.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class DashboardAttributes(_Strict):
    engagement_metrics: FeatureStatus | None = None


class GuardianAttributes(_Strict):
    optimized_shared_delivery: FeatureStatus | None = None


class AccountVdmAttributesProps(_Strict):
    vdm_enabled: FeatureStatus
    dashboard_attributes: DashboardAttributes | None = None
    guardian_attributes: GuardianAttributes | None = None
    region: str | None = None
    restore_on_delete: bool = False

    @field_validator("region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        return _check_region(value)


class DashboardOptions(_Strict):
    engagement_metrics: FeatureStatus | None = None


class GuardianOptions(_Strict):
    optimized_shared_delivery: FeatureStatus | None = None


class ConfigurationSetVdmOptionsProps(_Strict):
    configuration_set_name: str
    dashboard_options: DashboardOptions | None = None
    guardian_options: GuardianOptions | None = None
    region: str | None = None

    @field_validator("configuration_set_name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not CONFIGURATION_SET_NAME.match(value):
            raise ValueError(
                f"{value!r} is not a valid configuration set name: 1 to 64 characters, "
                "letters, digits, '-' and '_' only"
            )
        return value

    @field_validator("region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        return _check_region(value)


def _check_region(value: str | None) -> str | None:
    if value is not None and not REGION_NAME.match(value):
        raise ValueError(f"{value!r} is not an AWS region name (like 'us-east-1')")
    return value


def describe_errors(exc: ValidationError, props: dict[str, Any]) -> list[tuple[str, str]]:
    """Turn pydantic's errors into (top-level property, reason) pairs users can act on.

    Pulumi shows check failures against a top-level property, so nested paths are spelt out in
    the reason (``dashboard_attributes.engagement_metrics: 'on' is not one of ...``), and every
    reason names the value and what is allowed.
    """
    failures: list[tuple[str, str]] = []
    for err in exc.errors():
        loc = [str(part) for part in err["loc"]]
        top = loc[0] if loc else "<root>"
        path = ".".join(loc)
        value = err.get("input")
        kind = err["type"]
        if kind == "literal_error":
            reason = f"{path}: {value!r} is not one of {', '.join(FEATURE_STATUSES)}"
        elif kind == "missing":
            reason = f"{path}: is required"
        elif kind == "extra_forbidden":
            parent = ".".join(loc[:-1])
            allowed = _allowed_keys(loc[:-1])
            where = f" in {parent}" if parent else ""
            reason = f"{path}: unknown property {loc[-1]!r}{where}; allowed: {', '.join(allowed)}"
        elif kind == "value_error":
            reason = f"{path}: {str(err['msg']).removeprefix('Value error, ')}"
        elif kind in ("model_type", "dict_type"):
            reason = f"{path}: {value!r} must be a mapping of its options"
        elif kind.endswith("_type"):
            expected = kind.removesuffix("_type").replace("_", " ")
            reason = f"{path}: {value!r} must be a {expected}"
        else:
            reason = f"{path}: {value!r}: {err['msg']}"
        failures.append((top, reason))
    return failures


_NESTED_MODELS: dict[str, type[BaseModel]] = {
    "dashboard_attributes": DashboardAttributes,
    "guardian_attributes": GuardianAttributes,
    "dashboard_options": DashboardOptions,
    "guardian_options": GuardianOptions,
}


def _allowed_keys(parent: list[str]) -> list[str]:
    if parent and parent[-1] in _NESTED_MODELS:
        return list(_NESTED_MODELS[parent[-1]].model_fields)
    fields: dict[str, Any] = {
        **AccountVdmAttributesProps.model_fields,
        **ConfigurationSetVdmOptionsProps.model_fields,
    }
    return sorted(fields)


# ---------------------------------------------------------------------------------------------
# expand: our shape -> API shape; flatten: API shape -> our shape. Nested values that are None
# are "not managed" and are left out of the API request entirely.
# ---------------------------------------------------------------------------------------------


def expand_account_vdm_attributes(
    vdm_enabled: str,
    dashboard: dict[str, Any] | None,
    guardian: dict[str, Any] | None,
) -> dict[str, Any]:
    attrs: dict[str, Any] = {"VdmEnabled": vdm_enabled}
    if dashboard and dashboard.get("engagement_metrics"):
        attrs["DashboardAttributes"] = {"EngagementMetrics": dashboard["engagement_metrics"]}
    if guardian and guardian.get("optimized_shared_delivery"):
        attrs["GuardianAttributes"] = {
            "OptimizedSharedDelivery": guardian["optimized_shared_delivery"]
        }
    return attrs


def flatten_account_vdm_attributes(api: dict[str, Any] | None) -> dict[str, Any] | None:
    """``GetAccount``'s ``VdmAttributes`` in our shape; None when VDM was never configured."""
    if api is None:
        return None
    dashboard = api.get("DashboardAttributes") or {}
    guardian = api.get("GuardianAttributes") or {}
    return {
        "vdm_enabled": api.get("VdmEnabled"),
        "dashboard_attributes": {"engagement_metrics": dashboard.get("EngagementMetrics")},
        "guardian_attributes": {
            "optimized_shared_delivery": guardian.get("OptimizedSharedDelivery")
        },
    }


def expand_vdm_options(
    dashboard: dict[str, Any] | None, guardian: dict[str, Any] | None
) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if dashboard and dashboard.get("engagement_metrics"):
        options["DashboardOptions"] = {"EngagementMetrics": dashboard["engagement_metrics"]}
    if guardian and guardian.get("optimized_shared_delivery"):
        options["GuardianOptions"] = {
            "OptimizedSharedDelivery": guardian["optimized_shared_delivery"]
        }
    return options


def flatten_vdm_options(api: dict[str, Any] | None) -> dict[str, Any]:
    api = api or {}
    dashboard = api.get("DashboardOptions") or {}
    guardian = api.get("GuardianOptions") or {}
    return {
        "dashboard_options": {"engagement_metrics": dashboard.get("EngagementMetrics")},
        "guardian_options": {"optimized_shared_delivery": guardian.get("OptimizedSharedDelivery")},
    }
