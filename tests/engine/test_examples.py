"""Every example under ``examples/`` that needs only this package, run by the real engine
against the emulator: one ``up``, one preview, one ``destroy`` each.

The programs are read from the example directories as they are, so an example that stops
working fails here. Output shown in the documentation (``<!-- output: ... -->`` blocks) is
compared with the fresh run's, and documented edits (``<!-- edit: ... -->``) are applied exactly
as written. ``with-pulumi-aws`` needs the pulumi-aws provider plugin, which cannot be installed
here; it runs under mocks in ``tests/test_example_with_pulumi_aws.py``.

Each example works in a region of its own, so the module's one emulator needs no resetting.
"""

from __future__ import annotations

import json
import re
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from tests.readme_blocks import EXAMPLES, apply_edit, check_capture, find
from vdm_resources._get import sdk_version
from vdm_resources.emulator.testing import RunningEmulator

from .harness import ROOT, PulumiProject


def project_for(
    example: str,
    emu: RunningEmulator,
    workdir: Path,
    *,
    region: str | None,
) -> PulumiProject:
    """The example's own program and project name in a fresh stack (named ``test``)."""
    source = EXAMPLES / example
    name = yaml.safe_load((source / "Pulumi.yaml").read_text())["name"]
    return PulumiProject.create(
        workdir,
        emu.env,
        program=(source / "__main__.py").read_text(),
        name=name,
        region=region,
    )


def seed_from(emu: RunningEmulator, path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text())
    emu.control.seed(doc)
    return doc


def account(emu: RunningEmulator, region: str) -> dict[str, Any]:
    return dict(emu.boto3_client(region).get_account().get("VdmAttributes") or {})


def options(emu: RunningEmulator, region: str, name: str) -> dict[str, Any]:
    found = emu.boto3_client(region).get_configuration_set(ConfigurationSetName=name)
    return dict(found.get("VdmOptions") or {})


def open_recommendations(emu: RunningEmulator, region: str) -> list[dict[str, Any]]:
    page = emu.boto3_client(region).list_recommendations(Filter={"STATUS": "OPEN"}, PageSize=100)
    assert not page.get("NextToken")
    return [dict(r) for r in page.get("Recommendations", [])]


def utc_today() -> str:
    return datetime.now(timezone.utc).date().isoformat()


def test_quickstart(engine_emulator: RunningEmulator, tmp_path: Path) -> None:
    seed_from(engine_emulator, ROOT / "scripts" / "main-seed.json")
    proj = project_for("quickstart", engine_emulator, tmp_path / "quickstart", region="us-east-1")
    day = utc_today()
    proj.up().check()

    out = proj.outputs()
    assert out["region"] == "us-east-1"
    assert out["vdm_enabled"] == "ENABLED"
    assert out["marketing"] == {"engagement_metrics": "ENABLED"}
    assert out["transactional"] == {"engagement_metrics": "DISABLED"}
    recs = open_recommendations(engine_emulator, "us-east-1")
    assert out["open_recommendation_count"] == len(recs)
    assert out["high_impact_count"] == sum(1 for r in recs if r["Impact"] == "HIGH")
    [rates] = out["marketing_rates"]
    assert rates["dimensions"] == {"CONFIGURATION_SET": "marketing"}
    assert set(rates["totals"]) == {
        "SEND",
        "DELIVERY",
        "PERMANENT_BOUNCE",
        "TRANSIENT_BOUNCE",
        "COMPLAINT",
    }
    for rate in ("delivery_rate", "bounce_rate", "complaint_rate"):
        assert 0 <= rates[rate] <= 1
    assert account(engine_emulator, "us-east-1") == {
        "VdmEnabled": "ENABLED",
        "DashboardAttributes": {"EngagementMetrics": "ENABLED"},
        "GuardianAttributes": {"OptimizedSharedDelivery": "ENABLED"},
    }
    assert options(engine_emulator, "us-east-1", "marketing") == {
        "DashboardOptions": {"EngagementMetrics": "ENABLED"},
        "GuardianOptions": {"OptimizedSharedDelivery": "ENABLED"},
    }
    assert options(engine_emulator, "us-east-1", "transactional") == {
        "DashboardOptions": {"EngagementMetrics": "DISABLED"}
    }

    # The tour's edit, exactly as the README shows it, then the preview the README shows.
    main = proj.workdir / "__main__.py"
    edit = find("edit", "examples/quickstart/__main__.py").body
    main.write_text(apply_edit(main.read_text(), edit))
    preview = proj.preview("--diff").check()
    if utc_today() == day:
        check_capture("quickstart-preview-diff", preview.stdout)
    else:  # the metrics window moved on at midnight, so the outputs in the capture did too
        assert re.search(r'engagement_metrics\s*:\s*"DISABLED"\s*=>\s*"ENABLED"', preview.stdout)

    proj.destroy().check()
    assert account(engine_emulator, "us-east-1")["VdmEnabled"] == "DISABLED"
    assert options(engine_emulator, "us-east-1", "marketing") == {}
    assert options(engine_emulator, "us-east-1", "transactional") == {}


def test_multi_region(engine_emulator: RunningEmulator, tmp_path: Path) -> None:
    seed = seed_from(engine_emulator, EXAMPLES / "multi-region" / "seed.json")
    regions = {
        region: [s["ConfigurationSetName"] for s in body["configuration_sets"]]
        for region, body in seed["regions"].items()
    }
    # The stack's own region is a third one: every resource names its region explicitly.
    proj = project_for(
        "multi-region", engine_emulator, tmp_path / "multi-region", region="ap-southeast-2"
    )
    proj.up().check()

    out = proj.outputs()
    assert set(out) == set(regions)
    for region, names in regions.items():
        assert out[region] == {
            "account_id": region,
            "vdm_enabled": "ENABLED",
            "configuration_sets": {n: n for n in names},
            "open_recommendations": len(open_recommendations(engine_emulator, region)),
        }
        assert account(engine_emulator, region)["VdmEnabled"] == "ENABLED"
        for name in names:
            assert options(engine_emulator, region, name) == {
                "GuardianOptions": {"OptimizedSharedDelivery": "ENABLED"}
            }
    assert account(engine_emulator, "ap-southeast-2") == {}

    proj.preview("--expect-no-changes").check()
    proj.destroy().check()
    for region, names in regions.items():
        assert account(engine_emulator, region)["VdmEnabled"] == "DISABLED"
        for name in names:
            assert options(engine_emulator, region, name) == {}


def test_multi_account(engine_emulator: RunningEmulator, tmp_path: Path) -> None:
    seed = seed_from(engine_emulator, EXAMPLES / "multi-account" / "seed.json")
    accounts = {
        account_id: [
            s["ConfigurationSetName"] for s in doc["regions"]["eu-north-1"]["configuration_sets"]
        ]
        for account_id, doc in seed["accounts"].items()
    }
    proj = project_for("multi-account", engine_emulator, tmp_path / "multi-account", region=None)
    engine_emulator.control.reset_requests()
    proj.up().check()

    out = proj.outputs()
    envs = {"prod": "111111111111", "staging": "222222222222"}
    for env, account_id in envs.items():
        stored = engine_emulator.control.state(account_id=account_id)["regions"]["eu-north-1"]
        assert out[env] == {
            "id": f"{account_id}/eu-north-1",
            "account_id": account_id,
            "configuration_sets": {n: account_id for n in accounts[account_id]},
            "open_recommendations": sum(
                1 for r in stored["recommendations"] if r["Status"] == "OPEN"
            ),
        }
        assert stored["vdm_attributes"]["VdmEnabled"] == "ENABLED"
        for found in stored["configuration_sets"]:
            assert found["VdmOptions"] == {
                "GuardianOptions": {"OptimizedSharedDelivery": "ENABLED"}
            }
    # The default credentials' account was never touched; each role was assumed once per
    # process that called (provider and program), never per call.
    default = engine_emulator.control.state()["regions"].get("eu-north-1", {})
    assert default.get("vdm_attributes") is None
    sts = engine_emulator.control.requests()["sts"]["calls"]
    assert sts.get("AssumeRole", 0) <= 2 * len(envs), sts
    # No credential from STS in the state.
    state_text = json.dumps(proj.state())
    assert "ASIA" not in state_text and "SessionToken" not in state_text

    proj.preview("--expect-no-changes").check()
    proj.destroy().check()
    for account_id in envs.values():
        stored = engine_emulator.control.state(account_id=account_id)["regions"]["eu-north-1"]
        assert stored["vdm_attributes"]["VdmEnabled"] == "DISABLED"
        assert all(not s.get("VdmOptions") for s in stored["configuration_sets"])


def test_adopt_existing(engine_emulator: RunningEmulator, tmp_path: Path) -> None:
    seed = seed_from(engine_emulator, EXAMPLES / "adopt-existing" / "seed.json")
    [(region, existing)] = seed["regions"].items()
    [legacy] = existing["configuration_sets"]
    proj = project_for("adopt-existing", engine_emulator, tmp_path / "adopt", region=region)

    # What the README says about `pulumi import`: it cannot work for dynamic resources.
    imported = proj.run(
        "import",
        "pulumi-python:dynamic/sesv2:AccountVdmAttributes",
        "account-vdm",
        region,
        "--yes",
    )
    assert imported.returncode != 0
    # The host fails before any code of this package runs, so the SDK decides what is shown:
    # grpc's one line before 3.260, the host's traceback from 3.260 (README, Troubleshooting).
    if sdk_version() < (3, 260, 0):
        assert "Exception calling application: '__provider'" in imported.output
    else:
        assert "KeyError: '__provider'" in imported.output

    proj.up().check()
    # Nothing changed in AWS, and what was found is on record.
    assert account(engine_emulator, region) == existing["vdm_attributes"]
    assert options(engine_emulator, region, "legacy") == legacy["VdmOptions"]
    out = proj.outputs()
    assert out["previous_vdm_attributes"] == {
        "vdm_enabled": "ENABLED",
        "dashboard_attributes": {"engagement_metrics": "ENABLED"},
        "guardian_attributes": {"optimized_shared_delivery": "DISABLED"},
    }
    assert out["previous_vdm_options"] == {
        "dashboard_options": {"engagement_metrics": "DISABLED"},
        "guardian_options": {"optimized_shared_delivery": "ENABLED"},
    }

    proj.preview("--expect-no-changes").check()

    engine_emulator.control.reset_requests()
    proj.destroy().check()
    # restore_on_delete put back what was found; retain_on_delete left the set alone.
    assert account(engine_emulator, region) == existing["vdm_attributes"]
    assert options(engine_emulator, region, "legacy") == legacy["VdmOptions"]
    calls = engine_emulator.control.requests()["calls"]
    assert calls.get("PutAccountVdmAttributes") == 1
    assert calls.get("PutConfigurationSetVdmOptions") is None


def workflow_step(workflow: dict[str, Any], step_id: str) -> str:
    [step] = [s for s in workflow["jobs"]["preview"]["steps"] if s.get("id") == step_id]
    return str(step["run"])


def test_pr_preview(engine_emulator: RunningEmulator, tmp_path: Path) -> None:
    example = EXAMPLES / "pr-preview"
    seed = seed_from(engine_emulator, example / "seed.json")
    [region] = seed["regions"]
    proj = project_for("pr-preview", engine_emulator, tmp_path / "pr-preview", region=region)
    proj.up().check()  # main as it is: no gate
    assert options(engine_emulator, region, "transactional") == {
        "GuardianOptions": {"OptimizedSharedDelivery": "DISABLED"}
    }

    # The pull request's change, as the example's README shows it.
    main = proj.workdir / "__main__.py"
    edit = find("edit", "examples/pr-preview/__main__.py").body
    main.write_text(apply_edit(main.read_text(), edit))

    # The workflow's own gate and preview steps, run the way GitHub runs a `shell: bash` step.
    workflow = yaml.safe_load((example / "vdm-preview.yml").read_text())
    job = workflow["jobs"]["preview"]
    assert job["defaults"]["run"]["shell"] == "bash"
    env = {**proj.env, "PULUMI_STACK": proj.stack}
    results = {}
    for step_id in ("gate", "preview"):
        script = proj.workdir / f"{step_id}.sh"
        script.write_text(workflow_step(workflow, step_id) + "\n")
        cmd = ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)]
        results[step_id] = subprocess.run(
            cmd, cwd=proj.workdir, env=env, capture_output=True, text=True, timeout=600
        )
    assert results["gate"].returncode == 0, results["gate"].stderr
    preview = results["preview"]
    assert preview.returncode != 0, "the gate must fail the job while a HIGH recommendation is open"
    summary = (proj.workdir / "preview.txt").read_text()
    assert summary == preview.stdout  # what the job summary gets is what the log shows
    assert "Traceback" not in summary
    check_capture("pr-preview", summary)

    # Nothing was applied by the preview; destroy is unaffected by the gate (no program run).
    assert options(engine_emulator, region, "transactional") == {
        "GuardianOptions": {"OptimizedSharedDelivery": "DISABLED"}
    }
    proj.destroy().check()
    assert account(engine_emulator, region)["VdmEnabled"] == "DISABLED"
    assert options(engine_emulator, region, "marketing") == {}
