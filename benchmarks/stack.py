"""One benchmark stack: a Pulumi project of its own, driven through the real ``pulumi`` CLI.

Set-up (Pulumi.yaml, ``stack init``, config) goes through Pulumi's Automation API, which already
knows how to write a project and talk to a local file backend offline. The measured commands do
not: ``Stack.up()`` and friends also run ``stack output`` and ``stack history`` after the
update, a second or two that would land in the wall time being compared with the rate-limit
floor, and they have no timeout. So the measured command is the bare CLI, timed from launch to
exit, with the workspace's own binary and environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from pulumi import automation as auto

PROGRAM = Path(__file__).with_name("program.py")
STACK = "bench"
#: What a benchmark process may pass to the CLIs it starts: nothing of the caller's AWS, Pulumi
#: or vdm-resources settings (a profile, a real endpoint, VDM_MAX_ATTEMPTS) leaks into a run.
_SCRUBBED_PREFIXES = ("AWS_", "PULUMI_", "VDM_")


def engine_root() -> Path | None:
    """The directory holding ``bin/pulumi``: ``VDM_ENGINE_BIN`` (set by ``.tools/env.sh``) or
    the ``pulumi`` on PATH. Call it before :func:`scrub_environment`."""
    explicit = os.environ.get("VDM_ENGINE_BIN")
    found = Path(explicit) / "pulumi" if explicit else None
    if found is None or not found.exists():
        which = shutil.which("pulumi")
        found = Path(which) if which else None
    return found.resolve().parent.parent if found else None


def scrub_environment() -> None:
    """Drop the caller's AWS, Pulumi and vdm-resources settings from this process, and so from
    every CLI it starts (the Automation API passes its whole environment on)."""
    for key in [k for k in os.environ if k.startswith(_SCRUBBED_PREFIXES)]:
        del os.environ[key]


@dataclass
class Outcome:
    """One CLI command: its exit code, output and when it ran (``time.time()`` seconds, the
    clock the emulator's request log uses)."""

    args: list[str]
    exit_code: int
    stdout: str
    stderr: str
    started: float
    ended: float

    @property
    def wall(self) -> float:
        return self.ended - self.started

    def transcript(self) -> str:
        return f"$ pulumi {' '.join(self.args)}\n{self.stdout}\n{self.stderr}"

    def error_line(self) -> str:
        """The engine's first ``error:`` message: the resource that failed and why (the later
        ones are the engine shutting down). Empty on success."""
        for line in (self.stdout + "\n" + self.stderr).splitlines():
            if self.exit_code and "error: " in line:
                return line.split("error: ", 1)[1].strip()[:240]
        return ""


class BenchStack:
    """A project directory with its own file backend and one stack running ``program.py``."""

    def __init__(self, workspace: auto.LocalWorkspace, root: Path) -> None:
        self.workspace = workspace
        self.root = root

    @classmethod
    def create(
        cls, root: Path, project: str, env: dict[str, str], *, engine: Path, pulumi_home: Path
    ) -> BenchStack:
        if root.exists():
            shutil.rmtree(root)
        (root / ".state").mkdir(parents=True)
        pulumi_home.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PROGRAM, root / "__main__.py")
        settings = auto.ProjectSettings(
            name=project,
            runtime=auto.ProjectRuntimeInfo(
                "python", {"toolchain": "pip", "virtualenv": sys.prefix}
            ),
            backend=auto.ProjectBackend(f"file://{root / '.state'}"),
        )
        workspace = auto.LocalWorkspace(
            work_dir=str(root),
            pulumi_home=str(pulumi_home),
            env_vars={
                "PATH": os.pathsep.join([str(engine / "bin"), os.environ.get("PATH", "")]),
                "PULUMI_CONFIG_PASSPHRASE": "vdm-benchmarks",
                "PULUMI_SKIP_UPDATE_CHECK": "true",
                "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
                "PULUMI_PYTHON_CMD": sys.executable,
                "PYTHONUNBUFFERED": "1",
                **env,
            },
            secrets_provider="passphrase",
            project_settings=settings,
            pulumi_command=auto.PulumiCommand(root=str(engine)),
        )
        workspace.create_stack(STACK)
        return cls(workspace, root)

    def declare(
        self, *, prefix: str, count: int, dashboard: str, account: bool, region: str
    ) -> None:
        """What the next command deploys (``program.py`` reads it from the stack's config)."""
        values = {
            "aws:region": region,
            "bench:prefix": prefix,
            "bench:count": str(count),
            "bench:dashboard": dashboard,
            "bench:account": "true" if account else "false",
        }
        self.workspace.set_all_config(STACK, {k: auto.ConfigValue(v) for k, v in values.items()})

    def run(self, *args: str, timeout: float) -> Outcome:
        """``pulumi <args>`` on this stack, timed from launch to exit."""
        cmd = [self.workspace.pulumi_command.command, "--non-interactive", *args]
        cmd += ["--stack", STACK, "--color", "never"]
        env = {**os.environ, **self.workspace.env_vars}
        env["PULUMI_HOME"] = str(self.workspace.pulumi_home)
        started = time.time()
        try:
            proc = subprocess.run(
                cmd, cwd=self.root, env=env, capture_output=True, text=True, timeout=timeout
            )
            code, out, err = proc.returncode, proc.stdout, proc.stderr
        except subprocess.TimeoutExpired as exc:
            code, out, err = -1, _text(exc.stdout), _text(exc.stderr) + f"\ntimed out {timeout}s"
        return Outcome(list(args), code, out, err, started, time.time())

    def state_file(self) -> Path | None:
        """The file backend's checkpoint, i.e. what every ``pulumi up`` rewrites on disk."""
        found = sorted((self.root / ".state" / ".pulumi" / "stacks").glob(f"**/{STACK}.json"))
        return found[0] if found else None


def _text(raw: bytes | str | None) -> str:
    if raw is None:
        return ""
    return raw if isinstance(raw, str) else raw.decode(errors="replace")
