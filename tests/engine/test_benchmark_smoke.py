"""The benchmark script end to end at N = 3: real engine, real emulator, well-formed output.

The committed numbers come from a 15-minute run nobody repeats on every change; this keeps the
script that produced them working (CLI, engine phases, request-log accounting, overhead
measurement, markdown and JSON) so the next run does not start by fixing it. No timing is
asserted: on a shared 2-core machine wall times say nothing about correctness.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .harness import ROOT

PHASES = ("create", "preview", "update", "refresh", "destroy")
N = 3


@pytest.mark.slow
def test_benchmark_smoke_run(tmp_path: Path) -> None:
    out = tmp_path / "results"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "run.py"),
            "--sizes",
            str(N),
            "--rate-scale",
            "20",
            "--overhead-resources",
            "5",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"

    # The printed table is the results.md that was written, and it is well-formed markdown.
    markdown = (out / "results.md").read_text()
    assert proc.stdout == markdown
    tables = _tables(markdown)
    assert len(tables) == 4, markdown
    runs, state, overhead, targets = tables
    for table in tables:
        widths = {len(row) for row in table}
        assert len(widths) == 1, table  # every row has the header's column count
        assert all(re.fullmatch(r":?-+:?", cell) for cell in table[1]), table[1]
    assert [row[1] for row in runs[2:]] == list(PHASES)
    assert {row[0] for row in runs[2:]} == {str(N)}
    assert [row[0] for row in state[2:]] == [str(N)]
    assert {row[0].split(".")[-1] for row in overhead[2:]} == {
        "check",
        "diff",
        "create",
        "update",
        "read",
        "delete",
    }
    assert len(targets) == 2 + 9
    assert all(row[2] in ("met", "**missed**") for row in targets[2:])

    # The JSON holds the same runs, with the call accounting the targets are judged on.
    report = json.loads((out / "results.json").read_text())
    assert report["config"]["sizes"] == [N]
    assert [r["phase"] for r in report["runs"]] == list(PHASES)
    by_phase = {r["phase"]: r for r in report["runs"]}
    assert all(r["exit_code"] == 0 for r in report["runs"]), proc.stderr
    assert by_phase["preview"]["calls"] == {}
    assert by_phase["create"]["answered"] == {
        "GetAccount": 1,
        "PutAccountVdmAttributes": 1,
        "GetConfigurationSet": N,
        "PutConfigurationSetVdmOptions": N,
    }
    assert by_phase["create"]["verified"] is True
    assert by_phase["update"]["verified"] is True
    assert by_phase["destroy"]["verified"] is True
    assert report["state"][0]["provider_bytes"] > 0
    assert (out / "wall_vs_floor.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "out" / f"n{N}" / "create.log").exists()


def _tables(markdown: str) -> list[list[list[str]]]:
    """Each markdown table as rows of stripped cells (header and separator included)."""
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in [*markdown.splitlines(), ""]:
        if line.startswith("|"):
            current.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif current:
            tables.append(current)
            current = []
    return tables
