"""A stack made by vdm-resources 0.1.0 (before accounts, targets and preview warnings) keeps
working after an upgrade: no diff, a quiet refresh, and a destroy that cleans up.

``data/stack-0.1.0.json`` is ``pulumi stack export`` of such a stack (an AccountVdmAttributes
with id ``us-east-1``, a partly and a fully managed ConfigurationSetVdmOptions), made by the
0.1.0 code against the emulator; ``data/stack-0.1.0-aws.json`` is what the emulator held then.
"""

from __future__ import annotations

import json
from pathlib import Path

from vdm_resources.emulator.testing import RunningEmulator

from .harness import SPEC_PROGRAM, PulumiProject

DATA = Path(__file__).parent / "data"
SPEC = {
    "account": {
        "vdm_enabled": "ENABLED",
        "dashboard_attributes": {"engagement_metrics": "ENABLED"},
    },
    "configuration_sets": {
        "marketing-vdm": {
            "configuration_set_name": "marketing",
            "dashboard_options": {"engagement_metrics": "ENABLED"},
        },
        "tx-vdm": {
            "configuration_set_name": "tx",
            "dashboard_options": {"engagement_metrics": "DISABLED"},
            "guardian_options": {"optimized_shared_delivery": "ENABLED"},
        },
    },
}


def test_a_stack_from_0_1_0_previews_refreshes_and_destroys(
    engine_emulator: RunningEmulator, tmp_path: Path
) -> None:
    engine_emulator.control.seed(json.loads((DATA / "stack-0.1.0-aws.json").read_text()))
    proj = PulumiProject.create(tmp_path / "p", engine_emulator.env, SPEC_PROGRAM, "vdm-compat")
    proj.write_spec(SPEC)
    proj.run("stack", "import", "--file", str(DATA / "stack-0.1.0.json")).check()
    assert [r["id"] for r in proj.resources(":AccountVdmAttributes")] == ["us-east-1"]

    engine_emulator.control.reset_requests()
    proj.preview("--expect-no-changes").check()
    assert engine_emulator.control.calls() == 0
    refreshed = proj.refresh().check()
    assert "warning" not in refreshed.output.lower(), refreshed.output  # no drift reported
    proj.preview("--expect-no-changes").check()
    proj.up().check()
    assert [r["id"] for r in proj.resources(":AccountVdmAttributes")] == ["us-east-1"]

    proj.destroy().check()
    client = engine_emulator.boto3_client()
    assert client.get_account()["VdmAttributes"] == {"VdmEnabled": "DISABLED"}
    assert not client.get_configuration_set(ConfigurationSetName="marketing").get("VdmOptions")
    # tx's guardian option was managed too: both options go.
    assert not client.get_configuration_set(ConfigurationSetName="tx").get("VdmOptions")
