"""``python -m benchmarks`` (or ``benchmarks/run.py``): measure, judge, write the report.

One command runs every section (lifecycle phases per N, provider overhead, programs sharing an
account, a run beside an outside load), writes ``results.json``, ``results.md`` and the two
PNGs, prints the markdown, and with ``--readme`` puts the same block into the README.
``--render-only`` measures nothing and redraws everything from ``results.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .overhead import measure_overhead
from .phases import PhaseResult, Settings, StateSize, bench_size
from .plot import plot_phases, plot_shared
from .report import PHASES_PNG, SHARED_PNG, render_markdown, write_readme
from .shared import SharedResult, bench_shared
from .stack import engine_root, scrub_environment
from .targets import evaluate

ROOT = Path(__file__).resolve().parents[1]


def _ints(raw: str) -> list[int]:
    values = [int(part) for part in raw.split(",") if part.strip()]
    if any(v < 1 for v in values):
        raise argparse.ArgumentTypeError("a comma-separated list of integers >= 1 (or empty)")
    return values


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=(
            "Measure pulumi up/preview/update/refresh/destroy of N ConfigurationSetVdmOptions "
            "plus one AccountVdmAttributes, and K programs sharing one account, through the "
            "real pulumi CLI against the SESv2 emulator with AWS's rate limits; compare wall "
            "time with the rate-limit floor; measure the provider's own overhead in-process. "
            "Prints a markdown report; writes results.json, results.md and two PNGs to --out."
        ),
    )
    add = parser.add_argument
    add("--sizes", type=_ints, default=[1, 10, 50, 200], help="N values (default 1,10,50,200)")
    add(
        "--rate-scale",
        type=float,
        default=1.0,
        metavar="X",
        help="multiply AWS's rates by X on both the emulator and the provider (default 1: "
        "AWS's real rates, about 45 minutes in all; a higher X shortens the run but lets the "
        "engine's fixed start-up weigh more in wall ÷ floor)",
    )
    add("--parallel", type=int, default=64, help="pulumi --parallel (default 64)")
    add(
        "--programs",
        type=_ints,
        default=[1, 2, 3, 4],
        metavar="K,...",
        help="numbers of programs launched together on one account (default 1,2,3,4; '' skips)",
    )
    add("--program-sets", type=int, default=50, metavar="N", help="sets per program (default 50)")
    add(
        "--outside-load",
        type=float,
        default=0.5,
        metavar="R",
        help="calls/s (at AWS's rates) an outside client sends on PutConfigurationSetVdmOptions "
        "beside one program of --program-sets sets (default 0.5; 0 skips)",
    )
    add(
        "--overhead-resources",
        type=int,
        default=200,
        metavar="M",
        help="sets driven in-process for the overhead measurement (default 200; 0 skips it)",
    )
    add("--out", type=Path, default=ROOT / "benchmarks", help="where results go (benchmarks/)")
    add("--work", type=Path, default=None, help="scratch: projects, state, logs (<out>/out/)")
    add("--readme", type=Path, default=None, help="also write the report into this README")
    add("--no-plot", action="store_true", help="skip the PNGs")
    add(
        "--render-only",
        action="store_true",
        help="measure nothing: re-judge the targets and redraw from <out>/results.json",
    )
    return parser


def source_fingerprint() -> str:
    """Hash of the package sources measured: the numbers belong to this code, not a later one."""
    digest = hashlib.sha256()
    package = ROOT / "vdm_resources"
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def environment(engine: Path) -> dict[str, Any]:
    version = subprocess.run(
        [str(engine / "bin" / "pulumi"), "version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    ).stdout.strip()
    return {
        "pulumi": version or "unknown",
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "vdm_resources_sha256": source_fingerprint(),
    }


def _load(samples: Sequence[float]) -> str:
    return f"{min(samples):.1f}-{max(samples):.1f}" if samples else "-"


def finish(report: dict[str, Any], out: Path, *, plot: bool, readme: Path | None) -> str:
    """Judge, write results.json/results.md (and the PNGs, and the README), return markdown."""
    runs = [PhaseResult(**r) for r in report["runs"]]
    states = [StateSize(**s) for s in report["state"]]
    shared = [SharedResult.from_json(s) for s in report.get("shared", [])]
    scale = report["config"]["rate_scale"]
    targets = evaluate(runs, states, report["overhead"], shared, scale)
    report["targets"] = [asdict(t) for t in targets]
    markdown = render_markdown(report, "")
    (out / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    (out / "results.md").write_text(markdown)
    if plot and runs:
        plot_phases(report, out / PHASES_PNG)
    if plot and shared:
        plot_shared(report, out / SHARED_PNG)
    if readme is not None:
        write_readme(readme, report, out)
    return markdown


def command_line(argv: Sequence[str]) -> str:
    return " ".join([".venv/bin/python -m benchmarks", *argv])


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    argv_list = list(sys.argv[1:] if argv is None else argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    if args.render_only:
        stored = json.loads((out / "results.json").read_text())
        print(finish(stored, out, plot=not args.no_plot, readme=args.readme), end="")
        return 0
    engine = engine_root()
    if engine is None:
        print("pulumi engine not found: run scripts/setup.sh, then source .tools/env.sh",
              file=sys.stderr)  # fmt: skip
        return 2
    scrub_environment()
    # Started with SIGINT ignored (nohup, a background job, some CI runners), every CLI would
    # inherit that, and the engine's SIGINT to the language host at the end of each command
    # would go unheard: it then waits 5 s and kills it, 5 s more per program run.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    work: Path = args.work or out / "out"
    work.mkdir(parents=True, exist_ok=True)
    loads: list[float] = []

    # Keep progress off stdout so that stdout is exactly the report.
    def progress(message: str) -> None:
        loads.append(os.getloadavg()[0])
        print(message, file=sys.stderr, flush=True)

    settings = Settings(args.rate_scale, args.parallel, work, engine, progress)
    started = time.time()
    runs: list[PhaseResult] = []
    states: list[StateSize] = []
    for n in args.sizes:
        phase_results, state = bench_size(n, settings)
        runs += phase_results
        states.append(state)
    overhead: dict[str, Any] = {"resources": 0, "rows": [], "provider_blob_bytes": {}}
    if args.overhead_resources > 0:
        overhead = measure_overhead(args.overhead_resources, progress)
    shared: list[SharedResult] = []
    if args.program_sets > 0:
        for k in args.programs:
            shared += bench_shared(k, args.program_sets, settings)
        if args.outside_load > 0:
            shared += bench_shared(1, args.program_sets, settings, outside_rate=args.outside_load)
    report: dict[str, Any] = {
        "command": command_line(argv_list),
        "config": {
            "sizes": args.sizes,
            "rate_scale": args.rate_scale,
            "parallel": args.parallel,
            "programs": args.programs,
            "program_sets": args.program_sets,
            "outside_load": args.outside_load,
        },
        "environment": {**environment(engine), "load": _load(loads)},
        "elapsed_s": round(time.time() - started, 1),
        "runs": [asdict(r) for r in runs],
        "state": [asdict(s) for s in states],
        "overhead": overhead,
        "shared": [asdict(s) for s in shared],
    }
    print(finish(report, out, plot=not args.no_plot, readme=args.readme), end="")
    progress(f"done in {report['elapsed_s']}s; results in {out}")
    return 0 if all(r.exit_code == 0 for r in runs) else 1
