"""Models and the expand/flatten boundary between our snake_case shape and SESv2's shapes."""

from __future__ import annotations

from typing import Any

import pytest

from vdm_resources._check import check_failures
from vdm_resources.account_vdm_attributes import (
    AccountVdmAttributesProps,
    expand_account_vdm_attributes,
    flatten_account_vdm_attributes,
)
from vdm_resources.configuration_set_vdm_options import (
    ConfigurationSetVdmOptionsProps,
    expand_vdm_options,
    flatten_vdm_options,
)


def failures(model: Any, props: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f.property, f.reason) for f in check_failures(model, props)]


def test_expand_account_sends_only_managed_leaves() -> None:
    assert expand_account_vdm_attributes({"vdm_enabled": "ENABLED"}) == {"VdmEnabled": "ENABLED"}
    assert expand_account_vdm_attributes(
        {
            "vdm_enabled": "DISABLED",
            "dashboard_attributes": {"engagement_metrics": "ENABLED"},
            "guardian_attributes": {"optimized_shared_delivery": None},
        }
    ) == {"VdmEnabled": "DISABLED", "DashboardAttributes": {"EngagementMetrics": "ENABLED"}}


def test_flatten_account_round_trips_and_absent_is_none() -> None:
    api = {
        "VdmEnabled": "ENABLED",
        "DashboardAttributes": {"EngagementMetrics": "DISABLED"},
        "GuardianAttributes": {"OptimizedSharedDelivery": "ENABLED"},
    }
    flat = flatten_account_vdm_attributes(api)
    assert flat == {
        "vdm_enabled": "ENABLED",
        "dashboard_attributes": {"engagement_metrics": "DISABLED"},
        "guardian_attributes": {"optimized_shared_delivery": "ENABLED"},
    }
    assert flat is not None
    assert expand_account_vdm_attributes(flat) == api
    assert flatten_account_vdm_attributes(None) is None


def test_vdm_options_expand_flatten() -> None:
    assert expand_vdm_options({}) == {}
    opts = expand_vdm_options(
        {
            "dashboard_options": {"engagement_metrics": "DISABLED"},
            "guardian_options": {"optimized_shared_delivery": "ENABLED"},
        }
    )
    assert opts == {
        "DashboardOptions": {"EngagementMetrics": "DISABLED"},
        "GuardianOptions": {"OptimizedSharedDelivery": "ENABLED"},
    }
    assert flatten_vdm_options(opts) == {
        "dashboard_options": {"engagement_metrics": "DISABLED"},
        "guardian_options": {"optimized_shared_delivery": "ENABLED"},
    }
    assert flatten_vdm_options(None) == {
        "dashboard_options": {"engagement_metrics": None},
        "guardian_options": {"optimized_shared_delivery": None},
    }


@pytest.mark.parametrize(
    ("props", "prop", "fragment"),
    [
        ({"vdm_enabled": "ON"}, "vdm_enabled", "'ON' is not one of ENABLED, DISABLED"),
        ({"vdm_enabled": "enabled"}, "vdm_enabled", "'enabled' is not one of"),
        ({}, "vdm_enabled", "vdm_enabled: is required"),
        (
            {"vdm_enabled": "ENABLED", "dashboard_attributes": {"engagement_metrics": "YES"}},
            "dashboard_attributes",
            "dashboard_attributes.engagement_metrics: 'YES' is not one of ENABLED, DISABLED",
        ),
        (
            {"vdm_enabled": "ENABLED", "guardian_attributes": {"optimised": "ENABLED"}},
            "guardian_attributes",
            "unknown property 'optimised' in guardian_attributes; allowed: "
            "optimized_shared_delivery",
        ),
        ({"vdm_enabled": "ENABLED", "region": "mars"}, "region", "'mars' is not an AWS region"),
        ({"vdm_enabled": "ENABLED", "restore_on_delete": "yes"}, "restore_on_delete", "'yes'"),
    ],
)
def test_account_errors_name_property_value_and_allowed(
    props: dict[str, object], prop: str, fragment: str
) -> None:
    found = failures(AccountVdmAttributesProps, dict(props))
    assert [p for p, _ in found] == [prop]
    assert fragment in found[0][1]


@pytest.mark.parametrize("name", ["", "a" * 65, "has space", "ünïcode", "semi;colon"])
def test_configuration_set_name_rules(name: str) -> None:
    ((prop, reason),) = failures(ConfigurationSetVdmOptionsProps, {"configuration_set_name": name})
    assert prop == "configuration_set_name"
    assert repr(name) in reason and "1 to 64 characters" in reason


@pytest.mark.parametrize("name", ["a", "A-b_9", "x" * 64])
def test_configuration_set_name_accepts_valid(name: str) -> None:
    props = ConfigurationSetVdmOptionsProps.model_validate({"configuration_set_name": name})
    assert props.configuration_set_name == name
