"""Previews a reviewer can trust, through the real CLI (issue 12, items 2, 3 and 7).

The program here wraps chosen option blocks in an Output that is unknown during a preview (as an
Output of a resource being created would be) and known during ``up``, so a test can make "a block
becomes an unknown Output" happen exactly as a user's program would.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vdm_resources.emulator.testing import RunningEmulator

from .conftest import seed_sets
from .harness import PulumiProject

PROGRAM = '''\
import json
from pathlib import Path

import pulumi

from vdm_resources import ConfigurationSetVdmOptions

spec = json.loads((Path(__file__).parent / "spec.json").read_text())


def unknown_at_preview(value):
    """An Output whose value is known only during `up`, like a new resource's output."""
    import asyncio

    loop = asyncio.get_event_loop()
    resolved, known = loop.create_future(), loop.create_future()
    resolved.set_result(value)
    known.set_result(not pulumi.runtime.is_dry_run())
    return pulumi.Output(set(), resolved, known)


for name, args in spec["sets"].items():
    args = dict(args)
    for block in spec.get("unknown", {}).get(name, []):
        args[block] = unknown_at_preview(args[block])
    ConfigurationSetVdmOptions(name, **args)
'''


def project(tmp_path: Path, emu: RunningEmulator) -> PulumiProject:
    return PulumiProject.create(tmp_path / "p", emu.env, program=PROGRAM)


def options(emu: RunningEmulator, name: str) -> dict[str, Any]:
    got = emu.boto3_client().get_configuration_set(ConfigurationSetName=name)
    return dict(got.get("VdmOptions") or {})


GUARDIAN_ON = {"optimized_shared_delivery": "ENABLED"}
DASHBOARD_ON = {"engagement_metrics": "ENABLED"}


def test_expect_no_changes_fails_when_a_block_becomes_an_unknown_output(
    engine_emulator: RunningEmulator, tmp_path: Path
) -> None:
    seed_sets(engine_emulator, "unknown-block")
    proj = project(tmp_path, engine_emulator)
    base = {"configuration_set_name": "unknown-block", "guardian_options": GUARDIAN_ON}
    proj.write_spec({"sets": {"ub-vdm": base}})
    proj.up().check()
    proj.preview("--expect-no-changes").check()
    # The dashboard block, not managed so far, now comes from an Output unknown at preview.
    spec = {"sets": {"ub-vdm": {**base, "dashboard_options": DASHBOARD_ON}}}
    spec["unknown"] = {"ub-vdm": ["dashboard_options"]}
    proj.write_spec(spec)
    engine_emulator.control.reset_requests()
    preview = proj.preview("--expect-no-changes")
    assert preview.returncode != 0, preview.output
    assert "ub-vdm" in preview.output and "update" in preview.output, preview.output
    assert engine_emulator.control.calls() == 0  # the diff needed no call
    # And `up` does write it: the preview told the truth.
    proj.up().check()
    assert options(engine_emulator, "unknown-block") == {
        "DashboardOptions": {"EngagementMetrics": "ENABLED"},
        "GuardianOptions": {"OptimizedSharedDelivery": "ENABLED"},
    }


def test_take_over_after_drift_ends_with_aws_holding_the_declared_value(
    engine_emulator: RunningEmulator, tmp_path: Path
) -> None:
    engine_emulator.control.seed(
        {
            "regions": {
                "us-east-1": {
                    "configuration_sets": [
                        {
                            "ConfigurationSetName": "take-over",
                            "VdmOptions": {
                                "GuardianOptions": {"OptimizedSharedDelivery": "ENABLED"}
                            },
                        }
                    ]
                }
            }
        }
    )
    proj = project(tmp_path, engine_emulator)
    base = {"configuration_set_name": "take-over", "dashboard_options": DASHBOARD_ON}
    proj.write_spec({"sets": {"to-vdm": base}})
    proj.up().check()
    # Somebody turns guardian off; the state still records it ENABLED (no refresh).
    engine_emulator.boto3_client().put_configuration_set_vdm_options(
        ConfigurationSetName="take-over",
        VdmOptions={"DashboardOptions": {"EngagementMetrics": "ENABLED"}},
    )
    # The program takes guardian over, declaring the value the stale record holds.
    proj.write_spec({"sets": {"to-vdm": {**base, "guardian_options": GUARDIAN_ON}}})
    proj.up().check()
    assert options(engine_emulator, "take-over") == {
        "DashboardOptions": {"EngagementMetrics": "ENABLED"},
        "GuardianOptions": {"OptimizedSharedDelivery": "ENABLED"},
    }
    proj.refresh().check()
    proj.preview("--expect-no-changes").check()


def test_preview_warns_when_a_create_targets_a_set_that_does_not_exist(
    engine_emulator: RunningEmulator, tmp_path: Path
) -> None:
    proj = project(tmp_path, engine_emulator)
    proj.write_spec(
        {
            "sets": {
                "typo-vdm": {
                    "configuration_set_name": "markting",
                    "dashboard_options": DASHBOARD_ON,
                }
            }
        }
    )
    engine_emulator.control.reset_requests()
    res = proj.preview().check()  # a warning, not a failure: the program may create the set
    assert "configuration set 'markting' does not exist in us-east-1 now" in res.output
    assert engine_emulator.control.requests()["calls"] == {"GetConfigurationSet": 1}
    # Once the resource exists, a no-op preview makes no call at all.
    seed_sets(engine_emulator, "markting")
    proj.up().check()
    engine_emulator.control.reset_requests()
    quiet = proj.preview("--expect-no-changes").check()
    assert "does not exist" not in quiet.output
    assert engine_emulator.control.calls() == 0
