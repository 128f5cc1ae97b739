"""The targets the measurements are judged against, each with what was measured.

A target that the run did not measure (a section skipped, a run not at AWS's rates where the
target is stated at AWS's rates) is shown as not judged rather than met.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .phases import PhaseResult, StateSize
from .shared import SharedResult

#: wall ÷ floor for create, update and destroy of the largest stack, at any rate scale.
RATIO_TARGET = 1.15
RATIO_PHASES = ("create", "update", "destroy")
#: wall ÷ floor for a lone create and update of the largest stack at AWS's real rates.
LONE_TARGET = 1.04
LONE_PHASES = ("create", "update")
#: combined wall ÷ combined floor for up to this many programs sharing one account.
SHARED_TARGET = 1.25
SHARED_MAX_PROGRAMS = 4
OVERHEAD_TARGET_MS = 5.0
PROVIDER_BYTES_TARGET = 200


@dataclass
class Target:
    name: str
    measured: str
    met: bool | None  # None: not measured by this run


def _phase_targets(runs: Sequence[PhaseResult], scale: float) -> list[Target]:
    if not runs:
        return [Target("stack lifecycle (create ... destroy)", "not run", None)]
    targets: list[Target] = []
    largest = max(r.n for r in runs)
    at = {r.phase: r for r in runs if r.n == largest}
    for phase in RATIO_PHASES:
        run = at.get(phase)
        measured = "no floor"
        if run is not None and run.ratio is not None:
            measured = f"{run.ratio:.3f} (at AWS rates, projected: {run.projected_ratio:.3f})"
        targets.append(
            Target(
                f"wall ÷ floor ≤ {RATIO_TARGET} for {phase} at N = {largest}",
                measured,
                run is not None and run.ratio is not None and run.ratio <= RATIO_TARGET,
            )
        )
    for phase in LONE_PHASES:
        run = at.get(phase)
        name = f"lone {phase} at N = {largest}, AWS's rates: wall ÷ floor ≤ {LONE_TARGET}"
        if run is None or run.ratio is None:
            targets.append(Target(name, "not measured", None))
        elif scale != 1:
            targets.append(
                Target(name, f"needs --rate-scale 1 (projected {run.projected_ratio:.3f})", None)
            )
        else:
            targets.append(Target(name, f"{run.ratio:.3f}", run.ratio <= LONE_TARGET))
    failures = sum(r.failures for r in runs)
    throttled = sum(sum(r.throttled.values()) for r in runs)
    targets.append(
        Target(
            "zero failures (every command succeeds, no error answers, state as declared)",
            f"{failures} failures in {len(runs)} commands; {throttled} throttled (429) answers",
            failures == 0,
        )
    )
    previews = [sum(r.calls.values()) for r in runs if r.phase == "preview"]
    targets.append(
        Target(
            "no-op preview makes zero SESv2 calls",
            f"max {max(previews, default=0)} calls",
            max(previews, default=0) == 0,
        )
    )
    updates = [(r.writes, r.resources) for r in runs if r.phase == "update"]
    targets.append(
        Target(
            "update: at most one write per changed resource",
            f"max {max((w / res for w, res in updates), default=0.0):.2f} writes/resource",
            all(w <= res for w, res in updates),
        )
    )
    refreshes = [
        (sum(r.answered.values()), r.reads, r.resources) for r in runs if r.phase == "refresh"
    ]
    targets.append(
        Target(
            "refresh: at most one read per resource",
            f"max {max((c / res for c, _, res in refreshes), default=0.0):.2f} calls/resource",
            all(c == reads and reads <= res for c, reads, res in refreshes),
        )
    )
    return targets


def _provider_targets(states: Sequence[StateSize], overhead: Mapping[str, Any]) -> list[Target]:
    rows = overhead.get("rows", [])
    worst = max(rows, key=lambda r: r["cpu_ms_mean"], default=None)
    blob = max((s.provider_bytes for s in states), default=0)
    return [
        Target(
            f"provider overhead per operation, API call excluded, < {OVERHEAD_TARGET_MS:g} ms",
            f"max mean {worst['cpu_ms_mean']:.2f} ms CPU ({worst['operation']})"
            if worst
            else "not measured",
            None if worst is None else worst["cpu_ms_mean"] < OVERHEAD_TARGET_MS,
        ),
        Target(
            f"`__provider` < {PROVIDER_BYTES_TARGET} bytes per resource",
            f"{blob} bytes" if blob else "not measured",
            None if not blob else blob < PROVIDER_BYTES_TARGET,
        ),
    ]


def _shared_targets(shared: Sequence[SharedResult]) -> list[Target]:
    together = [s for s in shared if not s.outside_rate and s.programs <= SHARED_MAX_PROGRAMS]
    beside = [s for s in shared if s.outside_rate]
    sizes = sorted({s.programs for s in together})
    span = f"K = {', '.join(map(str, sizes))}" if sizes else "K ≤ 4"
    targets: list[Target] = []
    if together:
        failed = sum(s.failed_programs for s in together)
        launched = sum(s.programs for s in together)
        throttled = sum(s.throttled_total for s in together)
        targets.append(
            Target(
                f"{span} programs at once on one account: 0 failed programs",
                f"{failed} failed of {launched} program runs; {throttled} throttled (429) answers",
                failed == 0,
            )
        )
        clean = [s for s in together if not s.failed_programs]
        worst = max(clean, key=lambda s: s.ratio or float("inf"), default=None)
        measured = "no run without a failed program"
        if worst is not None:
            measured = f"max {_ratio(worst.ratio)} (K = {worst.programs}, {worst.phase})"
        if len(clean) < len(together):
            measured += f"; {len(together) - len(clean)} runs with failed programs do not count"
        targets.append(
            Target(
                f"{span} programs at once: combined wall ÷ combined floor ≤ {SHARED_TARGET}",
                measured,
                len(clean) == len(together)
                and all(s.ratio is not None and s.ratio <= SHARED_TARGET for s in clean),
            )
        )
    else:
        targets.append(Target(f"{span} programs at once on one account", "not run", None))
    if beside:
        rate = beside[0].outside_rate
        failed = sum(s.failed_programs for s in beside)
        worst = max(beside, key=lambda s: s.ratio or float("inf"))
        targets.append(
            Target(
                f"beside a steady outside load of {rate:g} call/s on the same operation: "
                "0 failed programs",
                f"{failed} failed; wall ÷ floor of the remaining budget max {_ratio(worst.ratio)}",
                failed == 0,
            )
        )
    else:
        targets.append(Target("beside a steady outside load", "not run", None))
    return targets


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def evaluate(
    runs: Sequence[PhaseResult],
    states: Sequence[StateSize],
    overhead: Mapping[str, Any],
    shared: Sequence[SharedResult],
    scale: float,
) -> list[Target]:
    return [
        *_phase_targets(runs, scale),
        *_provider_targets(states, overhead),
        *_shared_targets(shared),
    ]
