"""The two figures: each phase's wall time against its floor over N, and K programs sharing
one account (combined wall ÷ floor, throttled answers, failed programs) over K."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .phases import PHASES, PhaseResult
from .shared import SharedResult
from .targets import RATIO_TARGET, SHARED_TARGET

COLORS = {
    "create": "tab:blue",
    "preview": "tab:gray",
    "update": "tab:orange",
    "refresh": "tab:green",
    "destroy": "tab:red",
}


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_phases(report: Mapping[str, Any], path: Path) -> None:
    """Wall time beside the floor per phase, and their ratio, against N (log-log)."""
    plt = _pyplot()
    runs = [PhaseResult(**r) for r in report["runs"]]
    sizes = sorted({r.n for r in runs})
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
    # Phases with the same floor series share one line, or four identical dashed lines would
    # hide each other.
    floor_series: dict[tuple[tuple[int, float], ...], list[str]] = {}
    for phase in PHASES:
        rows = sorted((r for r in runs if r.phase == phase), key=lambda r: r.n)
        xs = [r.n for r in rows]
        left.plot(xs, [r.wall_s for r in rows], "o-", color=COLORS[phase], label=f"{phase} wall")
        floors = tuple((r.n, r.floor_s) for r in rows if r.floor_s > 0)
        if not floors:
            continue
        floor_series.setdefault(floors, []).append(phase)
        ratios = [(r.n, r.ratio, r.projected_ratio) for r in rows if r.ratio is not None]
        xr = [x for x, _, _ in ratios]
        right.plot(xr, [y for _, y, _ in ratios], "o-", color=COLORS[phase], label=phase)
        right.plot(xr, [p for _, _, p in ratios], "--", color=COLORS[phase], alpha=0.6)
    for floors, phases in floor_series.items():
        single = len(phases) == 1
        left.plot(
            [x for x, _ in floors],
            [y for _, y in floors],
            "--",
            color=COLORS[phases[0]] if single else "black",
            linewidth=1.5,
            label=f"floor ({', '.join(phases)})",
        )
    scale = report["config"]["rate_scale"]
    if scale != 1:
        right.plot([], [], "--", color="gray", label="projected at AWS rates")
    left.set_yscale("log")
    for ax in (left, right):
        ax.set_xscale("log")
        ax.set_xlabel("N configuration sets (+1 account resource)")
        ax.set_xticks(sizes, [str(s) for s in sizes])
        ax.grid(True, which="both", alpha=0.3)
    left.set_ylabel("seconds")
    left.set_title(f"wall time vs rate-limit floor (rate scale {scale:g})")
    left.legend(fontsize=7, ncol=2)
    right.axhline(RATIO_TARGET, color="black", linestyle=":", label=f"target {RATIO_TARGET}")
    right.axhline(1.0, color="black", linewidth=0.6)
    right.set_ylabel("wall ÷ floor")
    right.set_title("wall ÷ floor (engine start-up dominates small N)")
    right.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_shared(report: Mapping[str, Any], path: Path) -> None:
    """Combined wall ÷ floor and throttled answers against K programs, per phase; the run
    beside an outside load as a separate marker."""
    plt = _pyplot()
    shared = [SharedResult.from_json(s) for s in report.get("shared", [])]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.4))
    together = [s for s in shared if not s.outside_rate]
    ks = sorted({s.programs for s in together})
    for phase in ("create", "update"):
        rows = sorted((s for s in together if s.phase == phase), key=lambda s: s.programs)
        color = COLORS[phase]
        left.plot(
            [s.programs for s in rows],
            [s.ratio or 0 for s in rows],
            "o-",
            color=color,
            label=f"{phase}",
        )
        failed = [s for s in rows if s.failed_programs]
        left.plot(
            [s.programs for s in failed],
            [s.ratio or 0 for s in failed],
            "x",
            color="black",
            markersize=10,
            label="with failed programs" if phase == "create" and failed else None,
        )
        offset = -0.15 if phase == "create" else 0.15
        bars = right.bar(
            [s.programs + offset for s in rows],
            [s.throttled_total for s in rows],
            width=0.3,
            color=color,
            label=f"{phase}: 429s",
        )
        right.bar_label(
            bars,
            labels=[f"{s.failed_programs} failed" if s.failed_programs else "" for s in rows],
            fontsize=7,
            rotation=90,
            padding=3,
        )
    for s in (s for s in shared if s.outside_rate):
        left.plot(
            [1],
            [s.ratio or 0],
            "s",
            color=COLORS[s.phase],
            fillstyle="none",
            markersize=9,
            label=f"{s.phase} beside {s.outside_rate:g} call/s outside load",
        )
    left.axhline(SHARED_TARGET, color="black", linestyle=":", label=f"target {SHARED_TARGET}")
    left.axhline(1.0, color="black", linewidth=0.6)
    scale = report["config"]["rate_scale"]
    n = together[0].n if together else 0
    left.set_title(f"K programs x {n} sets on one account (rate scale {scale:g})")
    left.set_ylabel("combined wall ÷ combined floor")
    right.set_title("throttled (429) answers; failed programs above the bars")
    right.set_ylim(0, max([1, *(s.throttled_total for s in together)]) * 1.25)
    right.set_ylabel("answers")
    for ax in (left, right):
        ax.set_xlabel("K programs launched together")
        ax.set_xticks(ks, [str(k) for k in ks])
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
