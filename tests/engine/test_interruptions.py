"""Killing ``pulumi up`` in the middle of 20 creates, and the documented way back.

The up is paced (``VDM_RATE_SCALE=4``: AWS's 1 call/s per operation, four times faster) so it
takes several seconds; the test watches the emulator's request log and interrupts once a few
writes have landed, like Ctrl-C in a terminal (SIGINT to the whole process group) or a CI job
being killed (SIGKILL to the group). Then it runs exactly the recovery the README documents and
checks that AWS and the state agree: all 20 sets hold the declared options, the state has each
resource once, no pending operations, no lock.

What pulumi v3.252 does with the file backend, as observed here:

- SIGINT: the engine cancels gracefully, lets the operations in flight finish and records
  them; the state stays consistent and unlocked. ``pulumi refresh`` + ``pulumi up`` finish.
- SIGKILL: the lock file stays (every later command fails with "the stack is currently
  locked"), and the creates in flight stay in the state as pending operations. ``pulumi
  cancel`` removes the lock of a file backend too; ``pulumi refresh --clear-pending-creates``
  drops the pending creates (plain ``pulumi refresh`` keeps them when not interactive, and
  ``pulumi up`` creates the resources but leaves them listed); then ``pulumi up`` creates
  what is missing. A set whose write landed before the kill is simply adopted again. The
  killed run's provider process (started in a process group of its own) outlives it, idle.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from vdm_resources.emulator.testing import RunningEmulator

from .conftest import seed_sets
from .harness import PulumiProject, many_sets_spec

N = 20
KILL_AFTER_PUTS = 5
OPTIONS = {
    "DashboardOptions": {"EngagementMetrics": "ENABLED"},
    "GuardianOptions": {"OptimizedSharedDelivery": "ENABLED"},
}


def make_project(
    emu: RunningEmulator, workdir: Path, region: str
) -> tuple[PulumiProject, list[str]]:
    names = [f"int-{i:02d}" for i in range(N)]
    seed_sets(emu, *names, region=region)
    proj = PulumiProject.create(workdir, emu.env, region=region, extra_env={"VDM_RATE_SCALE": "4"})
    proj.write_spec(many_sets_spec(names))
    return proj, names


def leftover_plugins(proj: PulumiProject) -> list[int]:
    """Processes of this project's runs still alive after the CLI ended (Linux only).

    The engine starts plugins in process groups of their own, so a kill of the CLI's group does
    not reach them: the provider (``python -m pulumi.dynamic``) of a killed run stays, idle,
    waiting for an engine that is gone. They are found by the backend in their environment.
    """
    proc = Path("/proc")
    if not (proc / "self" / "environ").exists():
        return []
    marker = f"PULUMI_BACKEND_URL={proj.env['PULUMI_BACKEND_URL']}".encode()
    found = []
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def end_leftovers(proj: PulumiProject, grace: float = 5.0) -> int:
    """Wait ``grace`` seconds for the run's plugins to exit, then end the rest (they are this
    test's, found by PID); returns how many had to be ended."""
    deadline = time.monotonic() + grace
    while (stray := leftover_plugins(proj)) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in stray:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return len(stray)


def interrupted_up(
    proj: PulumiProject, emu: RunningEmulator, sig: signal.Signals
) -> tuple[int, str, int]:
    """Start ``pulumi up`` in its own process group, send ``sig`` to the group once some
    writes landed; returns (exit code, output, writes seen when the signal was sent)."""
    emu.control.reset_requests()
    proc = subprocess.Popen(
        [
            "pulumi",
            "up",
            "--yes",
            "--skip-preview",
            "--non-interactive",
            "--color",
            "never",
            "--stack",
            proj.stack,
        ],
        cwd=proj.workdir,
        env=proj.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        puts = 0
        while puts < KILL_AFTER_PUTS:
            assert proc.poll() is None, "the up ended before it could be interrupted"
            assert time.monotonic() < deadline, "the up never started writing"
            time.sleep(0.05)
            puts = emu.control.calls("PutConfigurationSetVdmOptions")
        os.killpg(proc.pid, sig)
        output, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:  # only ever our own group
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    return proc.returncode, output, puts


def locks(proj: PulumiProject) -> list[Path]:
    return sorted((proj.workdir / ".state" / ".pulumi" / "locks").rglob("*.json"))


def truncated_sidecars(proj: PulumiProject) -> list[Path]:
    """Empty ``<file>.attrs`` sidecars of the ``file://`` backend.

    gocloud's fileblob writes a blob's attributes with a plain create-then-write before it
    renames the blob into place, so a CLI killed between the two leaves an empty sidecar and
    every later command fails with ``failed to load checkpoint: EOF``. The blob itself is the
    previous, complete checkpoint; deleting the empty sidecar is the recovery.
    """
    return [p for p in (proj.workdir / ".state").rglob("*.attrs") if p.stat().st_size == 0]


def assert_converged(
    proj: PulumiProject, emu: RunningEmulator, names: list[str], region: str
) -> None:
    client = emu.boto3_client(region)
    for name in names:
        assert client.get_configuration_set(ConfigurationSetName=name)["VdmOptions"] == OPTIONS
    deployment = proj.state()["deployment"]
    ours: list[dict[str, Any]] = [
        r
        for r in deployment.get("resources") or []
        if r["type"].endswith(":ConfigurationSetVdmOptions")
    ]
    assert sorted(r["urn"].rsplit("::", 1)[1] for r in ours) == [f"{n}-vdm" for n in names]
    for res in ours:
        assert res["outputs"]["dashboard_options"] == {"engagement_metrics": "ENABLED"}
        assert res["outputs"]["guardian_options"] == {"optimized_shared_delivery": "ENABLED"}
    assert not deployment.get("pending_operations")
    assert locks(proj) == []


@pytest.mark.slow
def test_ctrl_c_then_refresh_and_up(engine_emulator: RunningEmulator, tmp_path: Path) -> None:
    region = "us-west-1"
    proj, names = make_project(engine_emulator, tmp_path / "sigint", region)
    code, output, puts = interrupted_up(proj, engine_emulator, signal.SIGINT)
    assert end_leftovers(proj) == 0  # a cancelled run closes its plugins
    assert code != 0 and puts >= KILL_AFTER_PUTS
    assert "update canceled" in output, output
    assert "Traceback" not in output
    # Graceful: what was in flight finished and was recorded; nothing is locked or pending.
    assert locks(proj) == []
    assert not proj.state()["deployment"].get("pending_operations")
    created = len(proj.resources(":ConfigurationSetVdmOptions"))
    assert 0 < created < N, created

    proj.refresh().check()
    proj.up().check()
    assert_converged(proj, engine_emulator, names, region)


@pytest.mark.slow
def test_sigkill_then_cancel_clear_pending_and_up(
    engine_emulator: RunningEmulator, tmp_path: Path
) -> None:
    region = "us-west-2"
    proj, names = make_project(engine_emulator, tmp_path / "sigkill", region)
    code, _, puts = interrupted_up(proj, engine_emulator, signal.SIGKILL)
    # The killed run's provider process outlives it (idle); end it as a dead CI job's would be.
    end_leftovers(proj, grace=0)
    assert code == -signal.SIGKILL and puts >= KILL_AFTER_PUTS
    # What a killed CLI leaves behind: the lock, and (usually) creates still pending.
    assert locks(proj), "expected the killed update's lock file"
    locked = proj.refresh()
    assert locked.returncode != 0
    if "failed to load checkpoint: EOF" in locked.output:  # killed while saving (rare)
        sidecars = truncated_sidecars(proj)
        assert sidecars, locked.output
        for sidecar in sidecars:
            sidecar.unlink()
        locked = proj.refresh()
    assert "the stack is currently locked" in locked.output, locked.output

    proj.run("cancel", "--yes", "--stack", proj.stack).check()
    assert locks(proj) == []
    proj.refresh("--clear-pending-creates").check()
    assert not proj.state()["deployment"].get("pending_operations")
    proj.up().check()
    assert_converged(proj, engine_emulator, names, region)
    assert end_leftovers(proj) == 0  # the recovery's own runs closed theirs
    # Every set was written at most once more than needed: nothing loops after a kill.
    assert engine_emulator.control.calls("PutConfigurationSetVdmOptions") <= 2 * N
