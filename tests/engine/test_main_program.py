"""The root program (the main job) under the real engine: its outputs carry the account's
recommendations, and with the gate configured a preview (or an up) fails listing what matched,
after the rest of the program's diff."""

from __future__ import annotations

import json
import re

import pytest

from vdm_resources.emulator.testing import RunningEmulator

from .conftest import seed_sets
from .harness import ROOT, PulumiProject


@pytest.fixture(scope="module")
def main_project(
    engine_emulator: RunningEmulator, tmp_path_factory: pytest.TempPathFactory
) -> PulumiProject:
    seed_sets(engine_emulator, "marketing", "transactional")
    program = (ROOT / "__main__.py").read_text()
    return PulumiProject.create(
        tmp_path_factory.mktemp("main"), engine_emulator.env, program=program, name="vdm-main"
    )


def open_recommendations(emu: RunningEmulator) -> list[dict[str, object]]:
    client = emu.boto3_client()
    recs: list[dict[str, object]] = []
    kwargs: dict[str, object] = {"Filter": {"STATUS": "OPEN"}, "PageSize": 100}
    while True:
        page = client.list_recommendations(**kwargs)  # type: ignore[arg-type]
        recs += page.get("Recommendations", [])
        if not page.get("NextToken"):
            return recs
        kwargs["NextToken"] = page["NextToken"]


def test_main_outputs_include_recommendations(
    main_project: PulumiProject, engine_emulator: RunningEmulator
) -> None:
    main_project.up().check()
    out = main_project.outputs()
    expected = open_recommendations(engine_emulator)
    assert expected, "the emulator seeds open recommendations by default"
    got = out["open_recommendations"]
    assert out["open_recommendation_count"] == len(expected) == len(got)
    assert sorted(r["resource_arn"] + r["type"] for r in got) == sorted(
        str(r["ResourceArn"]) + str(r["Type"]) for r in expected
    )
    assert set(got[0]) >= {"resource_arn", "type", "description", "status", "impact"}
    assert out["high_impact_count"] == sum(1 for r in expected if r["Impact"] == "HIGH")
    assert out["vdm_enabled"] == "ENABLED"
    assert set(out["configuration_sets"]) == {"marketing", "transactional"}


#: The root program's sets with transactional mail's engagement metrics turned on: a pending
#: update the gate must not hide (the pull request needs both the diff and the gate).
ENGAGEMENT_FOR_ALL = {
    "marketing": {
        "dashboard_options": {"engagement_metrics": "ENABLED"},
        "guardian_options": {"optimized_shared_delivery": "ENABLED"},
    },
    "transactional": {
        "dashboard_options": {"engagement_metrics": "ENABLED"},
        "guardian_options": {"optimized_shared_delivery": "ENABLED"},
    },
}


def engagement_metrics(emu: RunningEmulator, name: str) -> object:
    found = emu.boto3_client().get_configuration_set(ConfigurationSetName=name)
    return found.get("VdmOptions", {}).get("DashboardOptions", {}).get("EngagementMetrics")


def test_gate_fails_preview_with_the_matches(
    main_project: PulumiProject, engine_emulator: RunningEmulator
) -> None:
    main_project.up().check()  # the stack as deployed (also when this test runs alone)
    main_project.run("config", "set", "configurationSets", json.dumps(ENGAGEMENT_FOR_ALL)).check()
    main_project.run("config", "set", "--path", "failOn.impact", "HIGH").check()
    try:
        res = main_project.preview("--diff")
    finally:
        main_project.run("config", "rm", "failOn").check()
        main_project.run("config", "rm", "configurationSets").check()
    assert res.returncode != 0
    pending = r'engagement_metrics\s*:\s*"DISABLED"\s*=>\s*"ENABLED"'
    assert re.search(pending, res.stdout), res.stdout
    high = [r for r in open_recommendations(engine_emulator) if r["Impact"] == "HIGH"]
    assert high
    assert f"{len(high)} recommendation(s) match fail_on" in res.output, res.output
    for rec in high:
        assert str(rec["ResourceArn"]) in res.output
    assert "Traceback" not in res.output
    main_project.preview("--expect-no-changes").check()


def test_gate_fails_up_after_applying_the_rest(
    main_project: PulumiProject, engine_emulator: RunningEmulator
) -> None:
    """The gate fails ``pulumi up`` too, but does not hold back the other resources of the run:
    the engine applies them, then the run fails (documented; previewing first, as a separate
    step, is how a pipeline keeps a failing gate from applying anything)."""
    main_project.up().check()
    assert engagement_metrics(engine_emulator, "transactional") == "DISABLED"
    main_project.run("config", "set", "configurationSets", json.dumps(ENGAGEMENT_FOR_ALL)).check()
    main_project.run("config", "set", "--path", "failOn.impact", "HIGH").check()
    try:
        res = main_project.up()
    finally:
        main_project.run("config", "rm", "failOn").check()
        main_project.run("config", "rm", "configurationSets").check()
    assert res.returncode != 0
    high = [r for r in open_recommendations(engine_emulator) if r["Impact"] == "HIGH"]
    assert f"{len(high)} recommendation(s) match fail_on" in res.output, res.output
    assert "Traceback" not in res.output
    assert engagement_metrics(engine_emulator, "transactional") == "ENABLED"
    main_project.up().check()  # back to the program's defaults
    assert engagement_metrics(engine_emulator, "transactional") == "DISABLED"
