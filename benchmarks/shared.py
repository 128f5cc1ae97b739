"""Several programs, one account: the budget AWS's rates give an account and region, shared.

AWS's 1 call/s limits are per account and region, not per program. Here K separate Pulumi
projects (each its own stack, engine and provider process) run ``pulumi up`` at the same moment
against one emulator, or one program runs beside a steady outside client on the same operation.
What counts: whether every program finishes with every set as declared, how many answers were
throttled, and the combined wall time against the combined floor.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from vdm_resources.emulator.testing import RunningEmulator, start_emulator

from .calls import Window, allowed_rates, floor_of, short
from .phases import REGION, Settings, expected_options, seed_sets, set_names, sets_as_declared
from .stack import BenchStack, Outcome

#: The operation the outside client uses: the one every create and update of a set needs.
LOAD_OPERATION = "PutConfigurationSetVdmOptions"


@dataclass
class ProgramRun:
    project: str
    exit_code: int
    wall_s: float
    sets_as_declared: int
    error: str


@dataclass
class SharedResult:
    """One ``pulumi up`` of ``programs`` programs of ``n`` sets each, launched together."""

    programs: int
    n: int
    phase: str
    outside_rate: float
    wall_s: float
    floor_s: float
    ratio: float | None
    answered: dict[str, int]
    throttled: dict[str, int]
    errors: dict[str, int]
    outside: dict[str, int]
    runs: list[ProgramRun] = field(default_factory=list)
    #: The machine's 1-minute load average when the last program ended.
    load_1m: float = 0.0

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> SharedResult:
        return cls(**{**doc, "runs": [ProgramRun(**r) for r in doc["runs"]]})

    @property
    def failed_programs(self) -> int:
        return sum(r.exit_code != 0 or r.sets_as_declared != self.n for r in self.runs)

    @property
    def throttled_total(self) -> int:
        return sum(self.throttled.values())


def run_together(
    stacks: Sequence[BenchStack], args: Sequence[str], timeout: float
) -> list[Outcome]:
    """The same command on every stack, launched at once (a barrier, then one thread each)."""
    outcomes: list[Outcome | None] = [None] * len(stacks)
    barrier = threading.Barrier(len(stacks))

    def one(i: int) -> None:
        barrier.wait()
        outcomes[i] = stacks[i].run(*args, timeout=timeout)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(stacks))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [o for o in outcomes if o is not None]


@contextmanager
def outside_load(emu: RunningEmulator, rate: float) -> Iterator[None]:
    """The emulator's outside client: a token of :data:`LOAD_OPERATION`'s bucket ``rate`` times
    a second (a refused one is that client throttled), for the duration of the block."""
    if rate > 0:
        emu.control.start_load(LOAD_OPERATION, rate, region=REGION)
    try:
        yield
    finally:
        if rate > 0:
            emu.control.stop_load(LOAD_OPERATION)


def bench_shared(
    programs: int, n: int, settings: Settings, *, outside_rate: float = 0.0
) -> list[SharedResult]:
    """Create, then update, ``programs`` stacks of ``n`` sets at once on a fresh emulator;
    ``outside_rate`` (calls/s at AWS's rates) runs an outside client beside them."""
    tag = f"k{programs}" if not outside_rate else f"load{outside_rate:g}".replace(".", "_")
    projects = [f"{tag}p{i}" for i in range(programs)]
    names = {p: set_names(p, n) for p in projects}
    root = settings.work / f"shared-{tag}"
    scaled_load = outside_rate * settings.scale
    results: list[SharedResult] = []
    with start_emulator(rate_scale=settings.scale, rate_limits=True) as emu:
        seed_sets(emu, [s for p in projects for s in names[p]])
        stacks = [settings.stack(emu, root / p, f"vdm-bench-{p}") for p in projects]
        rates = allowed_rates(emu.control)
        for phase, dashboard in (("create", "ENABLED"), ("update", "DISABLED")):
            for stack, project in zip(stacks, projects, strict=True):
                stack.declare(
                    prefix=project, count=n, dashboard=dashboard, account=False, region=REGION
                )
            emu.control.reset_requests()
            emu.control.set_rate_limits(enabled=True, scale=settings.scale)
            apply = ("up", "--yes", "--skip-preview", "--parallel", str(settings.parallel))
            with outside_load(emu, scaled_load):
                outcomes = run_together(stacks, apply, settings.timeout(programs * n))
            window = Window.read(emu.control)
            # The work declared, not the calls answered: a program that gave up early made
            # fewer calls, and its floor must not shrink with them. Each set needs one call of
            # the 1 call/s write (and, on create, one of the 1 call/s read, a bucket of its own).
            # Beside an outside client, what it was answered is what the programs could not
            # have: the remaining budget is the rate less the outside client's answered rate.
            wall = max(o.ended for o in outcomes) - min(o.started for o in outcomes)
            taken = window.outside_answered(LOAD_OPERATION)
            declared = {LOAD_OPERATION: programs * n}
            floor, _ = floor_of(declared, rates, {LOAD_OPERATION: taken / wall})
            expected = expected_options(dashboard)
            runs = []
            for project, outcome in zip(projects, outcomes, strict=True):
                (root / f"{project}-{phase}.log").write_text(outcome.transcript())
                runs.append(
                    ProgramRun(
                        project=project,
                        exit_code=outcome.exit_code,
                        wall_s=round(outcome.wall, 3),
                        sets_as_declared=sets_as_declared(emu, names[project], expected),
                        error=outcome.error_line(),
                    )
                )
            result = SharedResult(
                programs=programs,
                n=n,
                phase=phase,
                outside_rate=outside_rate,
                wall_s=round(wall, 3),
                floor_s=round(floor, 3),
                ratio=round(wall / floor, 3) if floor else None,
                answered=window.answered,
                throttled=window.throttled,
                errors=window.errors,
                outside={
                    "calls": window.outside["calls"].get(LOAD_OPERATION, 0),
                    "throttled": window.outside["throttled"].get(LOAD_OPERATION, 0),
                },
                runs=runs,
                load_1m=round(os.getloadavg()[0], 2),
            )
            results.append(result)
            settings.progress(
                f"{programs}x{n} {phase:<6} load {outside_rate:g}/s  wall {wall:7.2f}s  "
                f"floor {floor:7.2f}s  calls {short(window.answered)}  "
                f"429s {result.throttled_total}  failed programs {result.failed_programs}"
            )
    return results
