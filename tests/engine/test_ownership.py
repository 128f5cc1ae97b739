"""Ownership conflicts under the real engine: the account's VDM attributes are one per region.

What can be caught is caught: two ``AccountVdmAttributes`` for one region in one program fail
the preview before any API call, and a managed value that something else changed since this
stack last wrote it is named in a warning by the refresh that finds it. Two *stacks* writing
the same region cannot see each other; that case is documented (last writer wins).
"""

from __future__ import annotations

import json
import re

import pytest

from vdm_resources.emulator.testing import RunningEmulator

from .harness import PulumiProject

PROGRAM = '''\
"""Declares every account in spec.json (a list of keyword-argument dicts)."""
import json
from pathlib import Path

from vdm_resources import AccountVdmAttributes

spec = json.loads((Path(__file__).parent / "spec.json").read_text())
for i, args in enumerate(spec["accounts"]):
    AccountVdmAttributes(args.pop("name", f"account-{i}"), **args)
'''

ENABLED = {
    "vdm_enabled": "ENABLED",
    "dashboard_attributes": {"engagement_metrics": "ENABLED"},
}


@pytest.fixture(scope="module")
def project(
    engine_emulator: RunningEmulator, tmp_path_factory: pytest.TempPathFactory
) -> PulumiProject:
    return PulumiProject.create(
        tmp_path_factory.mktemp("ownership"),
        engine_emulator.env,
        program=PROGRAM,
        region="eu-central-1",
        extra_env={"VDM_RATE_SCALE": "off"},
    )


def test_two_resources_for_one_region_fail_preview_without_calls(
    project: PulumiProject, engine_emulator: RunningEmulator
) -> None:
    # One takes the stack's aws:region, the other names the same region explicitly.
    project.write_spec(
        {
            "accounts": [
                {"name": "primary", **ENABLED},
                {"name": "copy", "region": "eu-central-1", "vdm_enabled": "DISABLED"},
            ]
        }
    )
    engine_emulator.control.reset_requests()
    res = project.preview()
    assert res.returncode != 0
    assert (
        "AccountVdmAttributes 'copy': region 'eu-central-1' is already managed by "
        "AccountVdmAttributes 'primary' in this program"
    ) in res.output, res.output
    assert "Traceback" not in res.output
    assert engine_emulator.control.calls() == 0


def test_out_of_band_change_is_a_warning_naming_the_property(
    project: PulumiProject, engine_emulator: RunningEmulator
) -> None:
    project.write_spec({"accounts": [{"name": "primary", **ENABLED}]})
    project.up().check()
    # Another owner (a second stack, the console) flips one managed value and one we do not
    # manage; only ours is reported.
    engine_emulator.control.set_account_vdm_attributes(
        "eu-central-1",
        {
            "VdmEnabled": "ENABLED",
            "DashboardAttributes": {"EngagementMetrics": "DISABLED"},
            "GuardianAttributes": {"OptimizedSharedDelivery": "ENABLED"},
        },
    )
    res = project.refresh().check()
    warnings = [line.strip() for line in res.stdout.splitlines() if "changed since" in line]
    assert warnings, res.stdout
    assert (
        "warning: AccountVdmAttributes 'primary': changed since this stack last wrote or read "
        "it: dashboard_attributes.engagement_metrics ENABLED => DISABLED. Another stack"
    ) in warnings[0]
    assert "optimized_shared_delivery" not in res.stdout  # not ours: never reported
    assert re.search(r"\b1 warning\b", res.stdout), res.stdout  # a real warning, counted
    # Reported once: the state now holds the live value, and a second refresh is quiet.
    again = project.refresh().check()
    assert "changed since" not in again.output
    # The declared value wins again on the next up; the foreign value stays.
    project.up().check()
    live = engine_emulator.boto3_client("eu-central-1").get_account()["VdmAttributes"]
    assert live["DashboardAttributes"] == {"EngagementMetrics": "ENABLED"}
    assert live["GuardianAttributes"] == {"OptimizedSharedDelivery": "ENABLED"}
    project.destroy().check()
    assert json.dumps(project.resources(":AccountVdmAttributes")) == "[]"
