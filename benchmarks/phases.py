"""A stack's lifecycle through the real engine: create, no-op preview, update, refresh, destroy.

Each phase is one CLI command on a stack of N ``ConfigurationSetVdmOptions`` plus one
``AccountVdmAttributes``, against a fresh emulator enforcing AWS's rates. Wall time is the
command's; the floor comes from the calls the emulator answered during it (``calls.Window``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vdm_resources import _aws
from vdm_resources.emulator.testing import RunningEmulator, start_emulator

from .calls import Window, allowed_rates, floor_of, projected_ratio, short
from .stack import BenchStack, Outcome

REGION = "us-east-1"
PHASES = ("create", "preview", "update", "refresh", "destroy")
Progress = Callable[[str], None]


@dataclass
class Settings:
    """What every engine measurement shares."""

    scale: float
    parallel: int
    work: Path
    engine: Path
    progress: Progress

    def env(self, emu: RunningEmulator) -> dict[str, str]:
        """The provider's environment: the emulator, and pacing at the emulator's scale."""
        return {**emu.env, _aws.RATE_SCALE_ENV: repr(float(self.scale))}

    def stack(self, emu: RunningEmulator, root: Path, project: str) -> BenchStack:
        return BenchStack.create(
            root,
            project,
            self.env(emu),
            engine=self.engine,
            pulumi_home=self.work / "pulumi-home",
        )

    def timeout(self, calls: int) -> float:
        """Generous: a run far slower than its floor is a result, a hung one is not."""
        return 900 + 4 * calls / self.scale


@dataclass
class PhaseResult:
    """One CLI command on one stack, with what the emulator saw during it."""

    n: int
    phase: str
    command: str
    resources: int
    wall_s: float
    exit_code: int
    calls: dict[str, int]
    answered: dict[str, int]
    throttled: dict[str, int]
    errors: dict[str, int]
    floor_s: float
    floor_operation: str | None
    ratio: float | None
    projected_ratio: float | None
    first_call_s: float | None
    api_span_s: float | None
    tail_s: float | None
    verified: bool | None
    state_bytes: int
    summary: str
    #: The machine's 1-minute load average when the command ended (2 cores, shared).
    load_1m: float = 0.0

    @property
    def failures(self) -> int:
        return int(self.exit_code != 0) + sum(self.errors.values()) + int(self.verified is False)

    @property
    def writes(self) -> int:
        return sum(v for op, v in self.answered.items() if op.startswith("Put"))

    @property
    def reads(self) -> int:
        return sum(v for op, v in self.answered.items() if op.startswith("Get"))


@dataclass
class StateSize:
    """What the stack costs on disk after create: the checkpoint and the pickled provider."""

    n: int
    state_bytes: int
    bytes_per_resource: float
    properties_bytes_per_resource: float
    provider_bytes: int
    provider_copies_per_resource: float


def engine_summary(output: str) -> str:
    """The engine's own ``Resources:`` block, kept so a reader can check what each run did."""
    lines = output.splitlines()
    for i, line in enumerate(lines):
        if line.strip() == "Resources:":
            block = []
            for follow in lines[i + 1 :]:
                if not follow.strip():
                    break
                block.append(follow.strip())
            return "; ".join(block)
    return ""


def set_names(prefix: str, count: int) -> list[str]:
    """The set names ``program.py`` declares for ``prefix`` and ``count``."""
    return [f"{prefix}-{i:04d}" for i in range(count)]


def seed_sets(emu: RunningEmulator, names: Sequence[str]) -> None:
    sets = [{"ConfigurationSetName": s} for s in names]
    emu.control.seed({"regions": {REGION: {"configuration_sets": sets}}})


def expected_options(dashboard: str) -> dict[str, Any]:
    return {
        "DashboardOptions": {"EngagementMetrics": dashboard},
        "GuardianOptions": {"OptimizedSharedDelivery": "ENABLED"},
    }


def sets_as_declared(
    emu: RunningEmulator, names: Sequence[str], expected: dict[str, Any] | None
) -> int:
    """How many sets hold ``expected`` (None: no override): a fast run that wrote the wrong
    thing is not a result."""
    state = emu.control.state()["regions"].get(REGION, {})
    live = {s["ConfigurationSetName"]: s.get("VdmOptions") for s in state["configuration_sets"]}
    return sum((live.get(n) or None) == expected for n in names)


def phase_result(
    n: int, phase: str, outcome: Outcome, window: Window, scale: float, rates: dict[str, float]
) -> PhaseResult:
    floor, floor_op = floor_of(window.answered, rates)
    times, span = window.times, window.span()
    return PhaseResult(
        n=n,
        phase=phase,
        command="pulumi " + " ".join(outcome.args),
        resources=n + 1,
        wall_s=round(outcome.wall, 3),
        exit_code=outcome.exit_code,
        calls=window.calls,
        answered=window.answered,
        throttled=window.throttled,
        errors=window.errors,
        floor_s=round(floor, 3),
        floor_operation=floor_op,
        ratio=round(outcome.wall / floor, 3) if floor else None,
        projected_ratio=round(projected_ratio(outcome.wall, span, floor, scale), 3)
        if floor
        else None,
        first_call_s=round(times[0] - outcome.started, 3) if times else None,
        api_span_s=round(span, 3) if times else None,
        tail_s=round(outcome.ended - times[-1], 3) if times else None,
        verified=None,
        state_bytes=0,
        summary=engine_summary(outcome.stdout),
        load_1m=round(os.getloadavg()[0], 2),
    )


def measure_state(stack: BenchStack, n: int) -> StateSize:
    path = stack.state_file()
    if path is None:
        return StateSize(n, 0, 0.0, 0.0, 0, 0.0)
    doc = json.loads(path.read_text())
    resources = doc.get("checkpoint", {}).get("latest", {}).get("resources", []) or []
    blobs: list[int] = []
    dynamic = properties = 0
    for res in resources:
        if not str(res.get("type", "")).startswith("pulumi-python:dynamic/"):
            continue
        dynamic += 1
        # What the provider decides (inputs and outputs); the rest of a resource's entry is the
        # engine's own (URNs, dependencies, timestamps, the program's stack trace).
        properties += len(
            json.dumps([res.get("inputs"), res.get("outputs")], separators=(",", ":"))
        )
        for section in ("inputs", "outputs"):
            value = (res.get(section) or {}).get("__provider")
            if value is not None:
                blobs.append(len(value) if isinstance(value, str) else len(json.dumps(value)))
    size = path.stat().st_size
    return StateSize(
        n=n,
        state_bytes=size,
        bytes_per_resource=round(size / max(dynamic, 1), 1),
        properties_bytes_per_resource=round(properties / max(dynamic, 1), 1),
        provider_bytes=max(blobs, default=0),
        provider_copies_per_resource=round(len(blobs) / max(dynamic, 1), 2),
    )


def bench_size(n: int, settings: Settings) -> tuple[list[PhaseResult], StateSize]:
    """The five phases on a fresh stack of ``n`` sets plus the account, on a fresh emulator."""
    prefix = "bench"
    names = set_names(prefix, n)
    log_dir = settings.work / f"n{n}"
    par = ("--parallel", str(settings.parallel))
    apply = ("--yes", "--skip-preview", *par)
    plan: list[tuple[str, str, tuple[str, ...], dict[str, Any] | None]] = [
        ("create", "ENABLED", ("up", *apply), expected_options("ENABLED")),
        ("preview", "ENABLED", ("preview", "--expect-no-changes", *par), None),
        ("update", "DISABLED", ("up", *apply), expected_options("DISABLED")),
        ("refresh", "DISABLED", ("refresh", *apply), None),
        ("destroy", "DISABLED", ("destroy", *apply), None),
    ]
    results: list[PhaseResult] = []
    state = StateSize(n, 0, 0.0, 0.0, 0, 0.0)
    with start_emulator(rate_scale=settings.scale, rate_limits=True) as emu:
        seed_sets(emu, names)
        stack = settings.stack(emu, log_dir / "project", "vdm-bench")
        rates = allowed_rates(emu.control)
        for phase, dashboard, args, expected in plan:
            stack.declare(prefix=prefix, count=n, dashboard=dashboard, account=True, region=REGION)
            # Fresh buckets and an empty request log per phase, so each phase starts where a
            # real run after a pause would and its calls are its own.
            emu.control.reset_requests()
            emu.control.set_rate_limits(enabled=True, scale=settings.scale)
            outcome = stack.run(*args, timeout=settings.timeout(n + 1))
            (log_dir / f"{phase}.log").write_text(outcome.transcript())
            result = phase_result(
                n, phase, outcome, Window.read(emu.control), settings.scale, rates
            )
            path = stack.state_file()
            result.state_bytes = path.stat().st_size if path else 0
            if phase in ("create", "update", "destroy"):
                result.verified = sets_as_declared(emu, names, expected) == n
            if phase == "create":
                state = measure_state(stack, n)
            results.append(result)
            settings.progress(
                f"N={n:<4} {phase:<8} wall {result.wall_s:7.2f}s  floor {result.floor_s:7.2f}s  "
                f"calls {short(result.answered)}  429s {sum(result.throttled.values())}"
                f"  exit {result.exit_code}"
            )
            if outcome.exit_code != 0:
                settings.progress(f"  engine failed; see {log_dir / (phase + '.log')}")
    return results, state
