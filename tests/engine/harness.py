"""Driving the real ``pulumi`` CLI against the emulator, offline.

A test project is a temporary directory with a Pulumi.yaml and a ``__main__.py``; the program it
runs is data-driven (``spec.json`` next to it) so a journey changes what is declared by rewriting
one file between CLI runs, exactly as a user edits a program between ``pulumi up``s.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
VENV_PYTHON = Path(sys.executable)


def engine_bin() -> Path | None:
    """Where scripts/setup.sh put (or found) the engine; None when set-up has not run."""
    explicit = os.environ.get("VDM_ENGINE_BIN")
    if explicit and (Path(explicit) / "pulumi").exists():
        return Path(explicit)
    env_file = ROOT / ".tools" / "env.sh"
    if env_file.exists():
        for line in env_file.read_text().splitlines():
            if line.startswith("export VDM_ENGINE_BIN="):
                candidate = Path(line.split("=", 1)[1].strip().strip('"'))
                if (candidate / "pulumi").exists():
                    return candidate
    found = shutil.which("pulumi")
    return Path(found).parent if found else None


def default_sigint() -> None:
    """In the CLI's process, before exec: SIGINT back to its default. A CLI started with SIGINT
    ignored (a background job of a script, some CI runners) passes that on to the language
    host, which then does not hear the engine's SIGINT at the end of a run and is killed 5 s
    later: 5 s lost per command that runs the program."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


PULUMI_YAML = """\
name: {name}
description: vdm-resources engine test project
runtime:
  name: python
  options:
    toolchain: pip
    virtualenv: {venv}
"""

SPEC_PROGRAM = '''\
"""Declares what spec.json says, so tests can change the program between runs."""
import json
from pathlib import Path

import pulumi

from vdm_resources import AccountVdmAttributes, ConfigurationSetVdmOptions

spec = json.loads((Path(__file__).parent / "spec.json").read_text())
account = None
if spec.get("account") is not None:
    account = AccountVdmAttributes("account", **spec["account"])
    pulumi.export("account", {
        "id": account.id,
        "vdm_enabled": account.vdm_enabled,
        "dashboard_attributes": account.dashboard_attributes,
        "guardian_attributes": account.guardian_attributes,
        "region": account.region,
        "previous_vdm_attributes": account.previous_vdm_attributes,
    })
sets = {}
for name, args in spec.get("configuration_sets", {}).items():
    opts = pulumi.ResourceOptions(depends_on=[account] if account else None)
    res = ConfigurationSetVdmOptions(name, opts=opts, **args)
    sets[name] = {
        "id": res.id,
        "configuration_set_name": res.configuration_set_name,
        "dashboard_options": res.dashboard_options,
        "guardian_options": res.guardian_options,
        "region": res.region,
    }
if sets and spec.get("export_sets", True):
    pulumi.export("configuration_sets", sets)
'''


def many_sets_spec(
    names: list[str], dashboard: str = "ENABLED", guardian: str = "ENABLED"
) -> dict[str, Any]:
    """A spec with one fully managed ConfigurationSetVdmOptions per set and nothing else: the
    shape the load-style tests use; outputs are not exported, they would only slow the CLI."""
    return {
        "account": None,
        "export_sets": False,
        "configuration_sets": {
            f"{n}-vdm": {
                "configuration_set_name": n,
                "dashboard_options": {"engagement_metrics": dashboard},
                "guardian_options": {"optimized_shared_delivery": guardian},
            }
            for n in names
        },
    }


@dataclass
class Result:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def check(self) -> Result:
        if self.returncode != 0:
            raise AssertionError(
                f"pulumi {' '.join(self.args)} exited {self.returncode}\n"
                f"--- stdout ---\n{self.stdout}\n--- stderr ---\n{self.stderr}"
            )
        return self


@dataclass
class PulumiProject:
    """One stack of one project in a temporary directory with its own file backend."""

    workdir: Path
    env: dict[str, str]
    stack: str = "test"
    history: list[Result] = field(default_factory=list)

    @classmethod
    def create(
        cls,
        workdir: Path,
        aws_env: dict[str, str],
        program: str = SPEC_PROGRAM,
        name: str = "vdm-e2e",
        region: str | None = "us-east-1",
        extra_env: dict[str, str] | None = None,
    ) -> PulumiProject:
        bin_dir = engine_bin()
        if bin_dir is None:
            raise RuntimeError("pulumi engine not found; run scripts/setup.sh")
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "Pulumi.yaml").write_text(
            PULUMI_YAML.format(name=name, venv=VENV_PYTHON.parent.parent)
        )
        (workdir / "__main__.py").write_text(program)
        backend = workdir / ".state"
        backend.mkdir(exist_ok=True)
        home = ROOT / ".tools" / "pulumi-home"
        home.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PULUMI_", "VDM_"))}
        env.update(
            {
                "PATH": os.pathsep.join(
                    [str(bin_dir), str(VENV_PYTHON.parent), os.environ.get("PATH", "")]
                ),
                "PULUMI_HOME": str(home),
                "PULUMI_BACKEND_URL": f"file://{backend}",
                "PULUMI_CONFIG_PASSPHRASE": "engine-tests",
                "PULUMI_SKIP_UPDATE_CHECK": "true",
                "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
                "PULUMI_PYTHON_CMD": str(VENV_PYTHON),
                "PYTHONUNBUFFERED": "1",
                **aws_env,
                **(extra_env or {}),
            }
        )
        project = cls(workdir=workdir, env=env)
        project.run("stack", "init", project.stack).check()
        if region:
            project.run("config", "set", "aws:region", region).check()
        return project

    def write_spec(self, spec: dict[str, Any]) -> None:
        (self.workdir / "spec.json").write_text(json.dumps(spec, indent=2))

    def run(self, *args: str, timeout: float = 600, env: dict[str, str] | None = None) -> Result:
        cmd = ["pulumi", *args, "--non-interactive"]
        if args and args[0] in ("up", "preview", "refresh", "destroy"):
            cmd += ["--color", "never", "--stack", self.stack]
        proc = subprocess.run(
            cmd,
            cwd=self.workdir,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            preexec_fn=default_sigint,
        )
        result = Result(list(args), proc.returncode, proc.stdout, proc.stderr)
        self.history.append(result)
        return result

    def up(self, *extra: str) -> Result:
        return self.run("up", "--yes", "--skip-preview", *extra)

    def preview(self, *extra: str) -> Result:
        return self.run("preview", *extra)

    def refresh(self, *extra: str) -> Result:
        return self.run("refresh", "--yes", "--skip-preview", *extra)

    def destroy(self, *extra: str) -> Result:
        return self.run("destroy", "--yes", "--skip-preview", *extra)

    def outputs(self) -> dict[str, Any]:
        res = self.run("stack", "output", "--json", "--show-secrets").check()
        return dict(json.loads(res.stdout or "{}"))

    def state(self) -> dict[str, Any]:
        res = self.run("stack", "export", "--show-secrets").check()
        return dict(json.loads(res.stdout))

    def resources(self, type_suffix: str = "") -> list[dict[str, Any]]:
        deployment = self.state().get("deployment", {})
        return [
            r
            for r in deployment.get("resources", []) or []
            if str(r.get("type", "")).endswith(type_suffix)
        ]
