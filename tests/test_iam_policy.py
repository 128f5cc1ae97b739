"""The documented least-privilege policy (``vdm_resources.iam``) against the calls the code makes.

Every CRUD path of both resources (including the read-first paths for partly managed
configuration sets, NotFound and restore-on-delete) and each component runs against the
emulator; its request log then says which operations each (resource, operation) really used.
Both directions must hold: nothing called that the policy does not grant (a user would get
AccessDenied), and nothing granted that is never called (the policy would not be minimal).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from vdm_resources import (
    AccountVdmAttributesProvider,
    ConfigurationSetVdmOptionsProvider,
    VdmMetrics,
    VdmRecommendations,
    iam,
)
from vdm_resources.emulator.testing import RunningEmulator

from .mocks import run_component

ROOT = Path(__file__).resolve().parents[1]
Seen = dict[tuple[str, str], set[str]]


def record(emu: RunningEmulator, seen: Seen, key: tuple[str, str], step: Callable[[], Any]) -> Any:
    """Run ``step`` and add the operations it called to ``seen[key]``."""
    emu.control.reset_requests()
    try:
        return step()
    finally:
        log = emu.control.requests()
        seen.setdefault(key, set()).update(f"ses:{op}" for op in log["calls"])


def exercise_account(emu: RunningEmulator, seen: Seen) -> None:
    p = AccountVdmAttributesProvider()
    name = "AccountVdmAttributes"
    emu.control.set_account_vdm_attributes(
        "us-east-1",
        {"VdmEnabled": "ENABLED", "DashboardAttributes": {"EngagementMetrics": "ENABLED"}},
    )
    props: dict[str, Any] = {
        "__name": "vdm",
        "vdm_enabled": "DISABLED",
        "dashboard_attributes": {"engagement_metrics": "DISABLED"},
        "region": None,
        "restore_on_delete": True,
    }
    outs = record(emu, seen, (name, "create"), lambda: p.create(dict(props)).outs)
    outs = record(emu, seen, (name, "read"), lambda: p.read("us-east-1", outs).outs)
    news = {**props, "vdm_enabled": "ENABLED"}
    outs = record(emu, seen, (name, "update"), lambda: p.update("us-east-1", outs, news).outs)
    # Only the restore flag changed: no call at all.
    flag_only = {**news, "restore_on_delete": False}
    record(emu, seen, (name, "update"), lambda: p.update("us-east-1", outs, flag_only))
    record(emu, seen, (name, "delete"), lambda: p.delete("us-east-1", outs))  # restores previous
    record(
        emu,
        seen,
        (name, "delete"),
        lambda: p.delete("us-east-1", {**outs, "restore_on_delete": False}),
    )


def crud_configuration_set(emu: RunningEmulator, seen: Seen, props: dict[str, Any]) -> None:
    p = ConfigurationSetVdmOptionsProvider()
    name = "ConfigurationSetVdmOptions"
    outs = record(emu, seen, (name, "create"), lambda: p.create(dict(props)).outs)
    outs = record(emu, seen, (name, "read"), lambda: p.read("x", outs).outs)
    news = {**props, "dashboard_options": {"engagement_metrics": "DISABLED"}}
    outs = record(emu, seen, (name, "update"), lambda: p.update("x", outs, news).outs)
    record(emu, seen, (name, "delete"), lambda: p.delete("x", outs))


def exercise_configuration_set(emu: RunningEmulator, seen: Seen) -> None:
    p = ConfigurationSetVdmOptionsProvider()
    name = "ConfigurationSetVdmOptions"
    emu.control.seed(
        {
            "regions": {
                "us-east-1": {
                    "configuration_sets": [{"ConfigurationSetName": n} for n in ("full", "part")]
                }
            }
        }
    )
    full: dict[str, Any] = {
        "__name": "full-vdm",
        "configuration_set_name": "full",
        "dashboard_options": {"engagement_metrics": "ENABLED"},
        "guardian_options": {"optimized_shared_delivery": "ENABLED"},
        "region": None,
    }
    part: dict[str, Any] = {
        "__name": "part-vdm",
        "configuration_set_name": "part",
        "dashboard_options": {"engagement_metrics": "ENABLED"},
        "region": None,
    }
    crud_configuration_set(emu, seen, full)
    crud_configuration_set(emu, seen, part)
    # A missing set: create fails on the read, refresh drops it, delete is a success.
    ghost = {"__name": "ghost-vdm", "configuration_set_name": "ghost", "region": None}
    with pytest.raises(Exception, match="not found"):
        record(emu, seen, (name, "create"), lambda: p.create(dict(ghost)))
    gone = {**part, "configuration_set_name": "ghost", "__inputs": part}
    record(emu, seen, (name, "read"), lambda: p.read("ghost", gone))
    record(emu, seen, (name, "delete"), lambda: p.delete("ghost", gone))


def exercise_components(emu: RunningEmulator, seen: Seen) -> None:
    record(
        emu,
        seen,
        ("VdmRecommendations", "read"),
        lambda: run_component(
            lambda: VdmRecommendations("recs", filter={"STATUS": "OPEN"}), ["count"]
        ),
    )
    record(
        emu,
        seen,
        ("VdmMetrics", "read"),
        lambda: run_component(
            lambda: VdmMetrics(
                "metrics", metrics=["SEND", "DELIVERY"], last_days=3, today=date(2024, 5, 10)
            ),
            ["series"],
        ),
    )


@pytest.fixture
def seen(aws_emulator: RunningEmulator) -> Seen:
    observed: Seen = {}
    exercise_account(aws_emulator, observed)
    exercise_configuration_set(aws_emulator, observed)
    exercise_components(aws_emulator, observed)
    return observed


def test_policy_grants_exactly_what_each_operation_calls(seen: Seen) -> None:
    expected = {
        (resource, op): set(granted)
        for resource, ops in iam.POLICY.items()
        for op, granted in ops.items()
    }
    assert {k: sorted(v) for k, v in seen.items()} == {k: sorted(v) for k, v in expected.items()}


def test_rendered_policy_is_valid_iam_json() -> None:
    doc = json.loads(iam.policy_json())
    assert doc["Version"] == "2012-10-17"
    assert [s["Sid"] for s in doc["Statement"]] == list(iam.POLICY)
    granted = sorted(a for s in doc["Statement"] for a in s["Action"])
    assert (
        granted
        == iam.actions()
        == sorted(
            {
                "ses:PutAccountVdmAttributes",
                "ses:GetAccount",
                "ses:PutConfigurationSetVdmOptions",
                "ses:GetConfigurationSet",
                "ses:ListRecommendations",
                "ses:BatchGetMetricData",
            }
        )
    )
    assert all(s["Effect"] == "Allow" for s in doc["Statement"])
    narrowed = iam.policy_document(
        ["ConfigurationSetVdmOptions", "AccountVdmAttributes"],
        configuration_set_arns=["arn:aws:ses:us-east-1:123456789012:configuration-set/marketing"],
    )
    resources = {s["Sid"]: s["Resource"] for s in narrowed["Statement"]}
    assert resources == {
        "ConfigurationSetVdmOptions": [
            "arn:aws:ses:us-east-1:123456789012:configuration-set/marketing"
        ],
        "AccountVdmAttributes": "*",
    }
    with pytest.raises(KeyError, match="no IAM policy for Nope"):
        iam.actions(["Nope"])


def test_readme_shows_the_rendered_policy() -> None:
    readme = (ROOT / "README.md").read_text()
    assert iam.policy_table() in readme
    assert iam.policy_json() in readme
