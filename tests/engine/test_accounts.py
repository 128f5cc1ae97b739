"""Accounts through the real CLI (issue 14): one program, two accounts by assumed roles; a role
moved to another account replaces, a new session name only updates; the stack's
``aws:assumeRoles`` is the default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vdm_resources.emulator.testing import RunningEmulator

from .harness import PulumiProject

PROD = {"role_arn": "arn:aws:iam::111111111111:role/ses-admin", "session_name": "vdm"}
STAGING = {"role_arn": "arn:aws:iam::222222222222:role/ses-admin", "session_name": "vdm"}
REGION = "ca-central-1"


def account_spec(role: dict[str, Any] | None) -> dict[str, Any]:
    account: dict[str, Any] = {"vdm_enabled": "ENABLED", "region": REGION}
    if role is not None:
        account["assume_role"] = role
    return {"account": account, "configuration_sets": {}}


def stored(emu: RunningEmulator, account_id: str | None = None) -> Any:
    regions = emu.control.state(account_id=account_id)["regions"]
    return (regions.get(REGION) or {}).get("vdm_attributes")


def steps(result_output: str) -> str:
    return "\n".join(line for line in result_output.splitlines() if "AccountVdmAttributes" in line)


def test_moving_a_resource_between_accounts(
    engine_emulator: RunningEmulator, tmp_path: Path
) -> None:
    proj = PulumiProject.create(tmp_path / "p", engine_emulator.env)
    proj.write_spec(account_spec(PROD))
    proj.up().check()
    assert proj.outputs()["account"]["id"] == f"111111111111/{REGION}"
    assert stored(engine_emulator, "111111111111")["VdmEnabled"] == "ENABLED"
    assert stored(engine_emulator) is None  # the default credentials' account: untouched

    # A new session name: an update that writes nothing.
    proj.write_spec(account_spec({**PROD, "session_name": "other"}))
    engine_emulator.control.reset_requests()
    preview = proj.preview("--diff").check()
    assert "+-" not in steps(preview.output) and "~" in steps(preview.output), preview.output
    proj.up().check()
    assert engine_emulator.control.requests()["calls"] == {}

    # The role of another account: a replacement (create there, then delete here).
    proj.write_spec(account_spec(STAGING))
    preview = proj.preview("--diff").check()
    assert "+-" in steps(preview.output), preview.output
    proj.up().check()
    assert proj.outputs()["account"]["id"] == f"222222222222/{REGION}"
    assert stored(engine_emulator, "222222222222")["VdmEnabled"] == "ENABLED"
    assert stored(engine_emulator, "111111111111")["VdmEnabled"] == "DISABLED"
    proj.preview("--expect-no-changes").check()


def test_the_stacks_assume_roles_is_the_default(
    engine_emulator: RunningEmulator, tmp_path: Path
) -> None:
    proj = PulumiProject.create(tmp_path / "p", engine_emulator.env)
    # As pulumi-aws v7 users write it: `pulumi config set --path 'aws:assumeRoles[0].roleArn' ...`
    for key, value in (
        ("roleArn", STAGING["role_arn"]),
        ("sessionName", "ci"),
        ("duration", "15m"),
    ):
        proj.run("config", "set", "--path", f"aws:assumeRoles[0].{key}", value).check()
    proj.write_spec(account_spec(None))
    proj.up().check()
    assert proj.outputs()["account"]["id"] == f"222222222222/{REGION}"
    assert stored(engine_emulator, "222222222222")["VdmEnabled"] == "ENABLED"
    proj.preview("--expect-no-changes").check()
    proj.destroy().check()
    assert stored(engine_emulator, "222222222222")["VdmEnabled"] == "DISABLED"
