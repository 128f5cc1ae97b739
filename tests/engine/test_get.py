"""``AccountVdmAttributes.get`` / ``ConfigurationSetVdmOptions.get``: read-only lookups.

The suite runs on both ends of the SDK range: on pulumi >= 3.268 a lookup reads AWS and changes
nothing (not on up, not on destroy); below, the program fails at once with one line saying which
version is needed, never the host's ``'__provider'`` KeyError.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vdm_resources._get import GET_MIN_SDK, sdk_version
from vdm_resources.emulator.testing import RunningEmulator

from .conftest import seed_sets
from .harness import PulumiProject

PROGRAM = """\
import pulumi

from vdm_resources import AccountVdmAttributes, ConfigurationSetVdmOptions

account = AccountVdmAttributes.get("looked-up-account", "us-east-1")
legacy = ConfigurationSetVdmOptions.get("looked-up-legacy", "legacy")
pulumi.export("account", {
    "id": account.id,
    "vdm_enabled": account.vdm_enabled,
    "dashboard_attributes": account.dashboard_attributes,
})
pulumi.export("legacy", {
    "id": legacy.id,
    "region": legacy.region,
    "dashboard_options": legacy.dashboard_options,
    "guardian_options": legacy.guardian_options,
})
"""

LIVE_OPTIONS = {
    "DashboardOptions": {"EngagementMetrics": "ENABLED"},
    "GuardianOptions": {"OptimizedSharedDelivery": "DISABLED"},
}


def _live(emu: RunningEmulator) -> tuple[dict[str, Any], dict[str, Any]]:
    client = emu.boto3_client()
    account = dict(client.get_account().get("VdmAttributes") or {})
    options = dict(client.get_configuration_set(ConfigurationSetName="legacy").get("VdmOptions"))
    return account, options


@pytest.fixture
def lookup_project(engine_emulator: RunningEmulator, tmp_path: Path) -> PulumiProject:
    seed_sets(engine_emulator, "legacy")
    client = engine_emulator.boto3_client()
    client.put_account_vdm_attributes(
        VdmAttributes={
            "VdmEnabled": "ENABLED",
            "DashboardAttributes": {"EngagementMetrics": "ENABLED"},
        }
    )
    client.put_configuration_set_vdm_options(ConfigurationSetName="legacy", VdmOptions=LIVE_OPTIONS)
    return PulumiProject.create(tmp_path / "get", engine_emulator.env, program=PROGRAM)


def test_get_reads_existing_settings_and_never_writes(
    lookup_project: PulumiProject, engine_emulator: RunningEmulator
) -> None:
    if sdk_version() < GET_MIN_SDK:
        return expect_version_error(lookup_project, engine_emulator)
    before = _live(engine_emulator)
    engine_emulator.control.reset_requests()
    lookup_project.up().check()
    out = lookup_project.outputs()
    assert out["account"]["id"] == "us-east-1"
    assert out["account"]["vdm_enabled"] == "ENABLED"
    assert out["account"]["dashboard_attributes"] == {"engagement_metrics": "ENABLED"}
    assert out["legacy"] == {
        "id": "legacy",
        "region": "us-east-1",
        "dashboard_options": {"engagement_metrics": "ENABLED"},
        "guardian_options": {"optimized_shared_delivery": "DISABLED"},
    }
    assert engine_emulator.control.calls("PutAccountVdmAttributes") == 0
    assert engine_emulator.control.calls("PutConfigurationSetVdmOptions") == 0
    # A lookup is not managed: destroying the stack leaves AWS as it was.
    lookup_project.destroy().check()
    assert _live(engine_emulator) == before
    assert engine_emulator.control.calls("PutAccountVdmAttributes") == 0
    assert engine_emulator.control.calls("PutConfigurationSetVdmOptions") == 0


def expect_version_error(lookup_project: PulumiProject, engine_emulator: RunningEmulator) -> None:
    """Below 3.268 the same program fails at once, in one line, before any call."""
    engine_emulator.control.reset_requests()
    res = lookup_project.preview()
    assert res.returncode != 0
    assert (
        "AccountVdmAttributes 'looked-up-account': AccountVdmAttributes.get() needs pulumi "
        "3.268.0 or newer"
    ) in res.output, res.output
    assert "Traceback" not in res.output
    assert "__provider" not in res.output
    assert engine_emulator.control.calls() == 0


def test_get_of_a_missing_set_names_it(engine_emulator: RunningEmulator, tmp_path: Path) -> None:
    program = PROGRAM.replace('"legacy")', '"nosuch")')
    proj = PulumiProject.create(tmp_path / "missing", engine_emulator.env, program=program)
    res = proj.preview()
    assert res.returncode != 0
    if sdk_version() < GET_MIN_SDK:
        assert "needs pulumi 3.268.0 or newer" in res.output, res.output
    else:
        assert (
            "ConfigurationSetVdmOptions 'looked-up-legacy': configuration set 'nosuch' not found "
            "in us-east-1 (NotFoundException)"
        ) in res.output, res.output
    assert "Traceback" not in res.output
