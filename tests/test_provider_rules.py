"""check and diff rules of both providers: pure functions of their inputs, no API call."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.output import Unknown

from vdm_resources import AccountVdmAttributesProvider, ConfigurationSetVdmOptionsProvider, _aws
from vdm_resources._provider import PROVIDER_KEY


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any API call here is a bug: make one impossible."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    _aws.reset_clients()

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("check/diff must not call AWS")

    monkeypatch.setattr(_aws, "call", boom)


ACCOUNT_OUTS = {
    "vdm_enabled": "ENABLED",
    "dashboard_attributes": {"engagement_metrics": "ENABLED"},
    "guardian_attributes": {"optimized_shared_delivery": "DISABLED"},
    "region": "us-east-1",
    "restore_on_delete": False,
    "previous_vdm_attributes": None,
}


def test_account_check_reports_top_level_property() -> None:
    res = AccountVdmAttributesProvider().check({}, {PROVIDER_KEY: "x", "vdm_enabled": "ON"})
    assert [(f.property, f.reason) for f in res.failures] == [
        ("vdm_enabled", "vdm_enabled: 'ON' is not one of ENABLED, DISABLED")
    ]
    assert res.inputs[PROVIDER_KEY] == "x"


def test_check_lets_unknowns_through() -> None:
    news = {
        "vdm_enabled": Unknown(),
        "dashboard_attributes": {"engagement_metrics": Unknown()},
        "region": Unknown(),
        "previous_vdm_attributes": None,
    }
    assert AccountVdmAttributesProvider().check({}, news).failures == []
    cs = ConfigurationSetVdmOptionsProvider().check({}, {"configuration_set_name": Unknown()})
    assert cs.failures == []


def test_check_still_reports_known_errors_next_to_unknowns() -> None:
    news = {"vdm_enabled": Unknown(), "guardian_attributes": {"optimized_shared_delivery": "x"}}
    failures = AccountVdmAttributesProvider().check({}, news).failures
    assert [f.property for f in failures] == ["guardian_attributes"]


def test_account_diff_no_change_when_declared_matches() -> None:
    news = {"vdm_enabled": "ENABLED", "dashboard_attributes": {"engagement_metrics": "ENABLED"}}
    diff = AccountVdmAttributesProvider().diff("us-east-1", ACCOUNT_OUTS, news)
    assert diff.changes is False and diff.replaces == []


def test_account_diff_ignores_unmanaged_and_the_serialized_provider() -> None:
    # guardian differs live but is not declared; __provider differs (a package upgrade).
    news = {"vdm_enabled": "ENABLED", PROVIDER_KEY: "new-blob"}
    olds = {**ACCOUNT_OUTS, PROVIDER_KEY: "old-blob"}
    assert AccountVdmAttributesProvider().diff("us-east-1", olds, news).changes is False


@pytest.mark.parametrize(
    "news",
    [
        {"vdm_enabled": "DISABLED"},
        {"vdm_enabled": "ENABLED", "guardian_attributes": {"optimized_shared_delivery": "ENABLED"}},
        {"vdm_enabled": Unknown()},
        {"vdm_enabled": "ENABLED", "restore_on_delete": True},
    ],
)
def test_account_diff_detects_changes(news: dict[str, Any]) -> None:
    diff = AccountVdmAttributesProvider().diff("us-east-1", ACCOUNT_OUTS, news)
    assert diff.changes is True and diff.replaces == []


def test_account_region_change_replaces() -> None:
    p = AccountVdmAttributesProvider()
    assert p.diff(
        "us-east-1", ACCOUNT_OUTS, {"vdm_enabled": "ENABLED", "region": "eu-west-1"}
    ).replaces == ["region"]
    # No explicit region: the default (here AWS_DEFAULT_REGION) is compared, not None.
    assert p.diff("us-east-1", ACCOUNT_OUTS, {"vdm_enabled": "ENABLED"}).replaces == []


CS_OUTS = {
    "configuration_set_name": "marketing",
    "dashboard_options": {"engagement_metrics": "DISABLED"},
    "guardian_options": {"optimized_shared_delivery": "ENABLED"},
    "region": "us-east-1",
}


def test_configuration_set_diff_rules() -> None:
    p = ConfigurationSetVdmOptionsProvider()
    same = {
        "configuration_set_name": "marketing",
        "dashboard_options": {"engagement_metrics": "DISABLED"},
    }
    assert p.diff("marketing", CS_OUTS, same).changes is False
    changed = {**same, "dashboard_options": {"engagement_metrics": "ENABLED"}}
    d = p.diff("marketing", CS_OUTS, changed)
    assert d.changes is True and d.replaces == []
    renamed = {**same, "configuration_set_name": "other"}
    assert p.diff("marketing", CS_OUTS, renamed).replaces == ["configuration_set_name"]
    unknown = {**same, "configuration_set_name": Unknown()}
    assert p.diff("marketing", CS_OUTS, unknown).replaces == ["configuration_set_name"]
    moved = {**same, "region": "eu-west-1"}
    assert p.diff("marketing", CS_OUTS, moved).replaces == ["region"]


def test_taking_over_or_handing_over_an_option_is_a_change() -> None:
    """Equal values, different ownership: the state must record it (delete depends on it)."""
    p = ConfigurationSetVdmOptionsProvider()
    recorded = {
        **CS_OUTS,
        "__inputs": {
            "configuration_set_name": "marketing",
            "dashboard_options": {"engagement_metrics": "DISABLED"},
        },
    }
    same = {
        "configuration_set_name": "marketing",
        "dashboard_options": {"engagement_metrics": "DISABLED"},
    }
    assert p.diff("marketing", recorded, same).changes is False
    handed_over = {"configuration_set_name": "marketing"}
    assert p.diff("marketing", recorded, handed_over).changes is True
    taken_over = {**same, "guardian_options": {"optimized_shared_delivery": "ENABLED"}}  # = live
    assert p.diff("marketing", recorded, taken_over).changes is True
    a = AccountVdmAttributesProvider()
    olds = {**ACCOUNT_OUTS, "__inputs": {"vdm_enabled": "ENABLED"}}
    assert a.diff("us-east-1", olds, {"vdm_enabled": "ENABLED"}).changes is False
    news = {"vdm_enabled": "ENABLED", "dashboard_attributes": {"engagement_metrics": "ENABLED"}}
    assert a.diff("us-east-1", olds, news).changes is True
