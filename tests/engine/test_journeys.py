"""End-to-end journeys through the real pulumi CLI against the emulator (issue: the engine).

The journeys share one project and stack and run in order, as a user's day would: create,
no-op preview, change, drift, adopt, out-of-band deletion, bad input, destroy.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import pytest

from vdm_resources.emulator.testing import RunningEmulator

from .conftest import seed_sets
from .harness import PulumiProject

ACCOUNT = {
    "vdm_enabled": "ENABLED",
    "dashboard_attributes": {"engagement_metrics": "ENABLED"},
    "guardian_attributes": {"optimized_shared_delivery": "ENABLED"},
}
SETS = {
    "marketing-vdm": {
        "configuration_set_name": "marketing",
        "dashboard_options": {"engagement_metrics": "DISABLED"},
        "guardian_options": {"optimized_shared_delivery": "ENABLED"},
    },
    "transactional-vdm": {
        "configuration_set_name": "transactional",
        "dashboard_options": {"engagement_metrics": "ENABLED"},
    },
}


def spec(
    account: dict[str, Any] | None = ACCOUNT, sets: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {"account": account, "configuration_sets": SETS if sets is None else sets}


@pytest.fixture(scope="module")
def project(
    engine_emulator: RunningEmulator, tmp_path_factory: pytest.TempPathFactory
) -> PulumiProject:
    seed_sets(engine_emulator, "marketing", "transactional")
    proj = PulumiProject.create(tmp_path_factory.mktemp("journeys"), engine_emulator.env)
    proj.write_spec(spec())
    return proj


def live_account(emu: RunningEmulator) -> dict[str, Any]:
    return dict(emu.boto3_client().get_account().get("VdmAttributes") or {})


def live_options(emu: RunningEmulator, name: str) -> dict[str, Any]:
    return dict(
        emu.boto3_client().get_configuration_set(ConfigurationSetName=name).get("VdmOptions") or {}
    )


def test_1_up_from_empty_creates(project: PulumiProject, engine_emulator: RunningEmulator) -> None:
    engine_emulator.control.reset_requests()
    res = project.up().check()
    assert "+ 4 created" in res.stdout  # the stack and three resources
    out = project.outputs()
    assert out["account"]["id"] == "us-east-1"
    assert out["account"]["vdm_enabled"] == "ENABLED"
    assert out["account"]["previous_vdm_attributes"] is None  # VDM was never configured
    assert out["configuration_sets"]["marketing-vdm"]["id"] == "marketing"
    # Unset options are absent (Pulumi drops null members from outputs).
    assert out["configuration_sets"]["transactional-vdm"]["guardian_options"] == {}
    assert live_account(engine_emulator) == {
        "VdmEnabled": "ENABLED",
        "DashboardAttributes": {"EngagementMetrics": "ENABLED"},
        "GuardianAttributes": {"OptimizedSharedDelivery": "ENABLED"},
    }
    assert live_options(engine_emulator, "marketing") == {
        "DashboardOptions": {"EngagementMetrics": "DISABLED"},
        "GuardianOptions": {"OptimizedSharedDelivery": "ENABLED"},
    }
    assert live_options(engine_emulator, "transactional") == {
        "DashboardOptions": {"EngagementMetrics": "ENABLED"}
    }
    calls = engine_emulator.control.requests()["calls"]
    assert calls.get("PutAccountVdmAttributes") == 1
    assert calls.get("PutConfigurationSetVdmOptions") == 2


def test_provider_blob_is_small_and_by_reference(project: PulumiProject) -> None:
    for res in project.resources(":AccountVdmAttributes") + project.resources(
        ":ConfigurationSetVdmOptions"
    ):
        blob = res["inputs"]["__provider"]
        assert isinstance(blob, str) and len(blob) < 200, len(blob)
        raw = base64.b64decode(blob)
        assert b"vdm_resources." in raw  # pickled by reference to an importable module
    text = json.dumps(project.state())
    assert "AWS_SECRET_ACCESS_KEY" not in text


def test_2_noop_preview_makes_zero_calls(
    project: PulumiProject, engine_emulator: RunningEmulator
) -> None:
    engine_emulator.control.reset_requests()
    project.preview("--expect-no-changes").check()
    assert engine_emulator.control.calls() == 0


def test_3_nested_change_shows_old_and_new_and_puts_once(
    project: PulumiProject, engine_emulator: RunningEmulator
) -> None:
    changed = json.loads(json.dumps(SETS))
    changed["marketing-vdm"]["dashboard_options"]["engagement_metrics"] = "ENABLED"
    project.write_spec(spec(sets=changed))
    res = project.preview("--diff").check()
    assert re.search(r'engagement_metrics\s*:\s*"DISABLED"\s*=>\s*"ENABLED"', res.stdout), (
        res.stdout
    )
    assert "1 to update" in res.stdout
    engine_emulator.control.reset_requests()
    project.up().check()
    calls = engine_emulator.control.requests()["calls"]
    assert calls.get("PutConfigurationSetVdmOptions") == 1
    assert calls.get("PutAccountVdmAttributes") is None
    assert live_options(engine_emulator, "marketing")["DashboardOptions"] == {
        "EngagementMetrics": "ENABLED"
    }
    SETS.update(changed)


def test_4_drift_is_reported_by_refresh_and_restored_by_up(
    project: PulumiProject, engine_emulator: RunningEmulator
) -> None:
    client = engine_emulator.boto3_client()
    client.put_account_vdm_attributes(
        VdmAttributes={
            "VdmEnabled": "ENABLED",
            "DashboardAttributes": {"EngagementMetrics": "DISABLED"},
        }
    )
    res = project.refresh("--diff").check()
    assert "1 updated" in res.stdout or "~ 1 updated" in res.stdout or "updated" in res.stdout
    assert re.search(r'engagement_metrics\s*:\s*"ENABLED"\s*=>\s*"DISABLED"', res.stdout), (
        res.stdout
    )
    pre = project.preview("--diff").check()
    assert re.search(r'engagement_metrics\s*:\s*"DISABLED"\s*=>\s*"ENABLED"', pre.stdout), (
        pre.stdout
    )
    project.up().check()
    assert live_account(engine_emulator)["DashboardAttributes"] == {"EngagementMetrics": "ENABLED"}
    project.preview("--expect-no-changes").check()


def test_5_out_of_band_deleted_set_is_dropped_and_named(
    project: PulumiProject, engine_emulator: RunningEmulator
) -> None:
    engine_emulator.boto3_client().delete_configuration_set(ConfigurationSetName="transactional")
    project.refresh().check()
    urns = [r["urn"] for r in project.resources(":ConfigurationSetVdmOptions")]
    assert not any(u.endswith("transactional-vdm") for u in urns)
    res = project.up()
    assert res.returncode != 0
    assert (
        "ConfigurationSetVdmOptions 'transactional-vdm': configuration set 'transactional' "
        "not found in us-east-1 (NotFoundException)"
    ) in res.output
    assert "Traceback" not in res.output
    # The way back: recreate the set (as its owner would) and re-run.
    seed_sets(engine_emulator, "transactional")
    project.up().check()
    project.preview("--expect-no-changes").check()


def test_6_bad_input_fails_preview_without_api_calls(
    project: PulumiProject, engine_emulator: RunningEmulator
) -> None:
    # The sets depend on the account, so each bad value gets its own preview.
    cases = [
        (("account", "vdm_enabled"), "ON", "vdm_enabled: 'ON' is not one of ENABLED, DISABLED"),
        (
            ("configuration_sets", "marketing-vdm", "configuration_set_name"),
            "bad name!",
            "'bad name!' is not a valid configuration set name",
        ),
        (
            ("configuration_sets", "marketing-vdm", "dashboard_options"),
            {"engagement_metrics": "on"},
            "dashboard_options.engagement_metrics: 'on' is not one of ENABLED, DISABLED",
        ),
    ]
    for path, value, message in cases:
        bad = json.loads(json.dumps(spec()))
        target = bad
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        project.write_spec(bad)
        engine_emulator.control.reset_requests()
        res = project.preview()
        assert res.returncode != 0
        assert message in res.output, res.output
        assert "Traceback" not in res.output
        assert engine_emulator.control.calls() == 0
    project.write_spec(spec())


def test_7_destroy_disables_account_and_clears_options(
    project: PulumiProject, engine_emulator: RunningEmulator
) -> None:
    project.destroy().check()
    assert live_account(engine_emulator)["VdmEnabled"] == "DISABLED"
    assert live_options(engine_emulator, "marketing") == {}
    assert live_options(engine_emulator, "transactional") == {}
    assert project.resources(":AccountVdmAttributes") == []
    assert project.resources(":ConfigurationSetVdmOptions") == []


def test_8_adopt_existing_settings_then_restore_on_delete(
    engine_emulator: RunningEmulator, tmp_path: Path
) -> None:
    existing = {
        "VdmEnabled": "ENABLED",
        "DashboardAttributes": {"EngagementMetrics": "ENABLED"},
        "GuardianAttributes": {"OptimizedSharedDelivery": "DISABLED"},
    }
    engine_emulator.control.set_account_vdm_attributes("eu-west-1", existing)
    engine_emulator.control.seed(
        {
            "regions": {
                "eu-west-1": {
                    "configuration_sets": [
                        {
                            "ConfigurationSetName": "legacy",
                            "VdmOptions": {
                                "GuardianOptions": {"OptimizedSharedDelivery": "ENABLED"}
                            },
                        }
                    ]
                }
            }
        }
    )
    proj = PulumiProject.create(tmp_path / "adopt", engine_emulator.env, region="eu-west-1")
    # Declare exactly what is there: adoption must end with a clean preview and change nothing.
    proj.write_spec(
        spec(
            account={
                "vdm_enabled": "ENABLED",
                "guardian_attributes": {"optimized_shared_delivery": "ENABLED"},
                "restore_on_delete": True,
            },
            sets={
                "legacy-vdm": {
                    "configuration_set_name": "legacy",
                    "dashboard_options": {"engagement_metrics": "DISABLED"},
                }
            },
        )
    )
    proj.up().check()
    out = proj.outputs()
    assert out["account"]["previous_vdm_attributes"] == {
        "vdm_enabled": "ENABLED",
        "dashboard_attributes": {"engagement_metrics": "ENABLED"},
        "guardian_attributes": {"optimized_shared_delivery": "DISABLED"},
    }
    # Unmanaged options were left alone: guardian on the set, dashboard on the account.
    client = engine_emulator.boto3_client("eu-west-1")
    assert client.get_configuration_set(ConfigurationSetName="legacy")["VdmOptions"] == {
        "DashboardOptions": {"EngagementMetrics": "DISABLED"},
        "GuardianOptions": {"OptimizedSharedDelivery": "ENABLED"},
    }
    assert client.get_account()["VdmAttributes"]["DashboardAttributes"] == {
        "EngagementMetrics": "ENABLED"
    }
    proj.preview("--expect-no-changes").check()
    proj.refresh("--expect-no-changes").check()
    proj.destroy().check()
    # restore_on_delete put back exactly what was found; the set keeps its unmanaged option.
    assert client.get_account()["VdmAttributes"] == existing
    assert client.get_configuration_set(ConfigurationSetName="legacy")["VdmOptions"] == {
        "GuardianOptions": {"OptimizedSharedDelivery": "ENABLED"}
    }
