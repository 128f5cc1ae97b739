"""Faults under the real engine, table-driven: every phase x every kind of fault, then recovery.

One stack (an account, a fully managed set, a partly managed set; the components in their own
phase) goes through create -> update -> refresh (with out-of-band drift) -> delete once per
kind of fault, and then the components read once per kind. For each (phase, fault) cell:

1. the faulty run: one operation gets a storm of faults longer than the retry budget
   (``VDM_MAX_ATTEMPTS=3``: the resources behind it must fail with one clean line), another
   gets fewer than the budget (its resources must succeed after retrying);
2. the request log must show exactly the bounded attempts;
3. faults off, one ``pulumi refresh`` and one ``pulumi up`` must converge: the emulator holds
   exactly the declared settings, the state holds each declared resource once and nothing else
   (no pending operations), and nothing the stack does not manage changed (data lost = 0).

The cells' results are collected into the README's reliability table (printed by the test and
written to ``$VDM_RELIABILITY_TABLE`` when set); the test also checks the README shows it.
"""

from __future__ import annotations

import copy
import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from vdm_resources.emulator.synthetic import metric_value
from vdm_resources.emulator.testing import RunningEmulator

from .harness import ROOT, PulumiProject, Result

ATTEMPTS = 3
STORM = 2 * ATTEMPTS  # more faults in a row than any one call may retry
TRANSIENT = ATTEMPTS - 1  # fewer: every call gets through
LATENCY = 2.0  # seconds, against VDM_READ_TIMEOUT=1
TODAY = date(2024, 5, 10)
REGION = "us-east-1"

PROGRAM = '''\
"""The fault tests' program: what spec.json declares, components optional."""
import datetime
import json
from pathlib import Path

import pulumi

from vdm_resources import (
    AccountVdmAttributes,
    ConfigurationSetVdmOptions,
    VdmMetrics,
    VdmRecommendations,
)

spec = json.loads((Path(__file__).parent / "spec.json").read_text())
if spec.get("account"):
    AccountVdmAttributes("account", **spec["account"])
for name, args in spec.get("configuration_sets", {}).items():
    ConfigurationSetVdmOptions(name, **args)
if spec.get("components"):
    recs = VdmRecommendations("recommendations", filter={"STATUS": "OPEN"})
    pulumi.export("recommendation_count", recs.count)
    pulumi.export(
        "recommendation_keys",
        recs.recommendations.apply(lambda rs: [r["resource_arn"] + " " + r["type"] for r in rs]),
    )
    metrics = VdmMetrics(
        "metrics", metrics=["SEND", "DELIVERY"], last_days=3, today=datetime.date(2024, 5, 10)
    )
    pulumi.export("metric_series", metrics.series)
'''

# ------------------------------------------------------------------------------- the world

#: The account before the stack ever wrote: restore_on_delete must put exactly this back.
PRE_ACCOUNT = {
    "VdmEnabled": "DISABLED",
    "DashboardAttributes": {"EngagementMetrics": "DISABLED"},
    "GuardianAttributes": {"OptimizedSharedDelivery": "ENABLED"},
}
PRE_SETS: dict[str, dict[str, Any]] = {
    "full": {},
    "partial": {"GuardianOptions": {"OptimizedSharedDelivery": "ENABLED"}},  # not managed
    "bystander": {  # no resource: must never change
        "DashboardOptions": {"EngagementMetrics": "ENABLED"},
        "GuardianOptions": {"OptimizedSharedDelivery": "DISABLED"},
    },
}


def declared(dashboard: str) -> dict[str, Any]:
    return {
        "account": {
            "vdm_enabled": "ENABLED",
            "dashboard_attributes": {"engagement_metrics": dashboard},
            "restore_on_delete": True,
        },
        "configuration_sets": {
            "full-vdm": {
                "configuration_set_name": "full",
                "dashboard_options": {"engagement_metrics": dashboard},
                "guardian_options": {"optimized_shared_delivery": "ENABLED"},
            },
            "partial-vdm": {
                "configuration_set_name": "partial",
                "dashboard_options": {"engagement_metrics": dashboard},
            },
        },
    }


def live_when(dashboard: str) -> dict[str, Any]:
    """What AWS must hold once ``declared(dashboard)`` converged."""
    return {
        "account": {
            "VdmEnabled": "ENABLED",
            "DashboardAttributes": {"EngagementMetrics": dashboard},
            "GuardianAttributes": PRE_ACCOUNT["GuardianAttributes"],
        },
        "full": {
            "DashboardOptions": {"EngagementMetrics": dashboard},
            "GuardianOptions": {"OptimizedSharedDelivery": "ENABLED"},
        },
        "partial": {
            "DashboardOptions": {"EngagementMetrics": dashboard},
            **PRE_SETS["partial"],
        },
        "bystander": PRE_SETS["bystander"],
    }


LIVE_AFTER_DELETE = {"account": PRE_ACCOUNT, **PRE_SETS}


def reseed(emu: RunningEmulator) -> None:
    """Back to the pre-stack world (nothing is in the stack when this runs)."""
    emu.control.set_account_vdm_attributes(REGION, PRE_ACCOUNT)
    emu.control.seed(
        {
            "regions": {
                REGION: {
                    "configuration_sets": [
                        {"ConfigurationSetName": name, **({"VdmOptions": opts} if opts else {})}
                        for name, opts in PRE_SETS.items()
                    ]
                }
            }
        }
    )
    emu.control.generate_recommendations(REGION, 30, seed=11)


def drift(emu: RunningEmulator) -> None:
    """Out-of-band changes for the refresh phase to find (and the next up to undo)."""
    emu.control.set_account_vdm_attributes(
        REGION,
        {
            **live_when("DISABLED")["account"],
            "DashboardAttributes": {"EngagementMetrics": "ENABLED"},
        },
    )
    client = emu.boto3_client(REGION)
    for name in ("full", "partial"):
        options = copy.deepcopy(live_when("DISABLED")[name])
        options["DashboardOptions"] = {"EngagementMetrics": "ENABLED"}
        client.put_configuration_set_vdm_options(ConfigurationSetName=name, VdmOptions=options)


# ------------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Fault:
    label: str
    kind: str
    seconds: float = 0.0

    @property
    def refused(self) -> bool:
        """A throttled call was refused, so retrying is always safe: it is retried for a time
        budget (VDM_THROTTLE_BUDGET_SECONDS), not a count, and a storm of STORM gets through."""
        return self.kind == "throttle"

    def storm_calls(self, callers: int) -> int:
        """Calls the storm's operation sees: every fault, plus each caller's success when
        refused; else each caller's ATTEMPTS."""
        return STORM + callers if self.refused else ATTEMPTS * callers

    def storm_served(self, callers: int) -> int:
        return STORM if self.refused else ATTEMPTS * callers


FAULTS = (
    Fault("throttling storm (429)", "throttle"),
    Fault("500 errors", "error"),
    Fault("dropped connections", "drop"),
    Fault(f"slow answers ({LATENCY:g} s, read timeout 1 s)", "latency", LATENCY),
)


@dataclass(frozen=True)
class Phase:
    name: str
    storm_op: str  # its resources must fail cleanly
    storm_callers: tuple[str, ...]
    transient_op: str  # its resources must succeed after retries
    transient_callers: tuple[str, ...]
    before: Callable[[PulumiProject, RunningEmulator], None]
    run: Callable[[PulumiProject], Result]
    expected_live: dict[str, Any]
    expected_resources: tuple[str, ...]


SETS = ("full-vdm", "partial-vdm")
ACCOUNT_ONLY = ("account",)
ALL = ("account", *SETS)


def _write(spec: dict[str, Any]) -> Callable[[PulumiProject, RunningEmulator], None]:
    def before(proj: PulumiProject, emu: RunningEmulator) -> None:
        proj.write_spec(spec)

    return before


def _create_before(proj: PulumiProject, emu: RunningEmulator) -> None:
    reseed(emu)
    proj.write_spec(declared("ENABLED"))


def _drift_before(proj: PulumiProject, emu: RunningEmulator) -> None:
    drift(emu)


def _faulty_up(proj: PulumiProject) -> Result:
    # Without it the engine stops starting operations after the first failure, and whether
    # the other resources met their faults would depend on timing.
    return proj.up("--continue-on-error")


PHASES = (
    Phase(
        "create",
        "PutAccountVdmAttributes",
        ACCOUNT_ONLY,
        "PutConfigurationSetVdmOptions",
        SETS,
        _create_before,
        _faulty_up,
        live_when("ENABLED"),
        ALL,
    ),
    Phase(
        "update",
        "PutConfigurationSetVdmOptions",
        SETS,
        "PutAccountVdmAttributes",
        ACCOUNT_ONLY,
        _write(declared("DISABLED")),
        _faulty_up,
        live_when("DISABLED"),
        ALL,
    ),
    Phase(
        "refresh",
        "GetAccount",
        ACCOUNT_ONLY,
        "GetConfigurationSet",
        SETS,
        _drift_before,
        lambda proj: proj.refresh(),
        live_when("DISABLED"),
        ALL,
    ),
    Phase(
        "delete",
        "PutConfigurationSetVdmOptions",
        SETS,
        "PutAccountVdmAttributes",
        ACCOUNT_ONLY,
        _write({"configuration_sets": {}}),
        _faulty_up,
        LIVE_AFTER_DELETE,
        (),
    ),
)


@dataclass
class Cell:
    phase: str
    fault: str
    injected: int = 0  # faults actually served by the emulator
    attempts: dict[str, int] = field(default_factory=dict)  # calls of the faulted operations
    failed: int = 0  # resources/components whose faulty run failed cleanly
    retried: int = 0  # ... that succeeded after retries
    verified: int = 0  # ... whose timed-out write was found applied by a read
    seconds: float = 0.0
    runs: int = 0
    converged: bool = False
    data_lost: int = 0


def render(cells: list[Cell]) -> str:
    lines = [
        "| phase | fault | faults injected | calls to the faulted operations | faulty run "
        "| CLI runs | converged | data lost |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for c in cells:
        calls = ", ".join(f"{op} {n}" for op, n in c.attempts.items())
        outcome = f"{c.failed} failed cleanly, {c.retried} retried to success"
        if c.verified:
            outcome += f", {c.verified} verified applied after timeouts"
        lines.append(
            f"| {c.phase} | {c.fault} | {c.injected} | {calls} | {outcome} | {c.runs} | "
            f"{'yes' if c.converged else 'NO'} | {c.data_lost} |"
        )
    total = sum(c.injected for c in cells)
    runs = sum(c.runs for c in cells)
    converged = sum(c.converged for c in cells)
    lost = sum(c.data_lost for c in cells)
    lines.append(
        f"| **all** | | **{total}** | | | **{runs}** | **{converged}/{len(cells)}** | **{lost}** |"
    )
    return "\n".join(lines)


# ------------------------------------------------------------------------------- checks


def live(emu: RunningEmulator) -> dict[str, Any]:
    """What AWS holds. The account is read from the emulator's stored state: while VDM is
    DISABLED, GetAccount hides the nested attributes (as AWS does), and what must not change
    includes what is hidden."""
    client = emu.boto3_client(REGION)
    stored = emu.control.state()["regions"][REGION].get("vdm_attributes") or {}
    out: dict[str, Any] = {"account": stored}
    for name in PRE_SETS:
        out[name] = client.get_configuration_set(ConfigurationSetName=name).get("VdmOptions") or {}
    return out


def deployment(proj: PulumiProject) -> dict[str, Any]:
    """The latest deployment, read from the file backend (``pulumi stack export`` costs a CLI
    start per call; this is read after every cell)."""
    path = proj.workdir / ".state" / ".pulumi" / "stacks" / "vdm-faults" / f"{proj.stack}.json"
    if path.exists():
        return dict(json.loads(path.read_text())["checkpoint"]["latest"])
    return dict(proj.state()["deployment"])


def our_resources(proj: PulumiProject) -> tuple[list[str], dict[str, Any], Any]:
    """(names of our resources in state, name -> outputs, pending operations)."""
    latest = deployment(proj)
    names: list[str] = []
    outputs: dict[str, Any] = {}
    for res in latest.get("resources") or []:
        if res["type"].startswith("pulumi-python:dynamic/sesv2:"):
            name = res["urn"].rsplit("::", 1)[1]
            names.append(name)
            outputs[name] = res.get("outputs") or {}
    return sorted(names), outputs, latest.get("pending_operations")


def managed_outputs(outputs: dict[str, Any]) -> dict[str, Any]:
    """The declared values as the state's outputs record them, in the spec's shape."""
    picked: dict[str, Any] = {}
    for name, outs in outputs.items():
        inputs = outs.get("__inputs") or {}
        picked[name] = {
            key: (
                {k: outs.get(key, {}).get(k) for k in value}
                if isinstance(value, dict)
                else outs.get(key)
            )
            for key, value in inputs.items()
            if key not in ("region",)
        }
    return picked


def expected_managed(spec: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if spec.get("account"):
        out["account"] = dict(spec["account"])
    for name, args in spec.get("configuration_sets", {}).items():
        out[name] = dict(args)
    return out


def data_lost(now: dict[str, Any], phase: str, outputs: dict[str, Any]) -> list[str]:
    """What changed that the stack does not own, or what it needs to give back later."""
    lost = []
    if now["bystander"] != PRE_SETS["bystander"]:
        lost.append("bystander set changed")
    if now["partial"].get("GuardianOptions") != PRE_SETS["partial"]["GuardianOptions"]:
        lost.append("partial set's unmanaged guardian option changed")
    if now["account"].get("GuardianAttributes") != PRE_ACCOUNT["GuardianAttributes"]:
        lost.append("account's unmanaged guardian attribute changed")
    if phase == "delete" and now["account"] != PRE_ACCOUNT:
        lost.append("restore_on_delete did not put back the account's original settings")
    if "account" in outputs:
        # What GetAccount showed before the first write: VDM disabled, so no nested attributes
        # (AWS hides them; restoring VdmEnabled=DISABLED leaves the stored ones as they are).
        previous = outputs["account"].get("previous_vdm_attributes") or {}
        # (the engine keeps or drops null members depending on the step: compare without them)
        shown = {
            k: {n: v for n, v in g.items() if v is not None} if isinstance(g, dict) else g
            for k, g in previous.items()
        }
        if shown != {
            "vdm_enabled": "DISABLED",
            "dashboard_attributes": {},
            "guardian_attributes": {},
        }:
            lost.append(f"previous_vdm_attributes recorded wrongly: {previous}")
    return lost


def error_lines(output: str) -> list[str]:
    return [line.strip() for line in output.splitlines() if "failed after" in line]


def assert_clean_failure(res: Result, names: tuple[str, ...], op: str) -> None:
    assert "Traceback" not in res.output, res.output
    if not names:
        res.check()
        return
    assert res.returncode != 0, res.output
    lines = error_lines(res.output)
    for name in names:
        kind = "AccountVdmAttributes" if name == "account" else "ConfigurationSetVdmOptions"
        if name in ("recommendations", "metrics"):
            kind = "VdmRecommendations" if name == "recommendations" else "VdmMetrics"
        target = f" (configuration set {name.removesuffix('-vdm')!r})" if name in SETS else ""
        wanted = f"{kind} {name!r}{target}: {op} in {REGION} failed after {ATTEMPTS} attempts: "
        assert any(wanted in line for line in lines), (wanted, res.output)


# ------------------------------------------------------------------------------- the test


@pytest.fixture(scope="module")
def project(
    engine_emulator: RunningEmulator, tmp_path_factory: pytest.TempPathFactory
) -> PulumiProject:
    return PulumiProject.create(
        tmp_path_factory.mktemp("faults"),
        engine_emulator.env,
        program=PROGRAM,
        name="vdm-faults",
        extra_env={
            "VDM_MAX_ATTEMPTS": str(ATTEMPTS),
            "VDM_READ_TIMEOUT": "1",
            "VDM_RATE_SCALE": "off",
        },
    )


def inject(emu: RunningEmulator, fault: Fault, phase_ops: tuple[str, str]) -> None:
    emu.control.clear_faults()
    emu.control.reset_requests()
    storm_op, transient_op = phase_ops
    emu.control.add_fault(storm_op, fault.kind, count=STORM, seconds=fault.seconds)
    emu.control.add_fault(transient_op, fault.kind, count=TRANSIENT, seconds=fault.seconds)


def settle(emu: RunningEmulator, served: int) -> dict[str, Any]:
    """The request log once all ``served`` faults are in it.

    A slow answer is logged when the emulator finally answers it, which is after the client
    gave up on it (and possibly after the run ended): its write lands late, like a timed-out
    request to AWS can. Waiting for it keeps the counts exact and the recovery honest.
    """
    deadline = time.monotonic() + 10 * LATENCY
    log = emu.control.requests()
    while sum(log["faulted"].values()) < served and time.monotonic() < deadline:
        time.sleep(0.1)
        log = emu.control.requests()
    emu.control.clear_faults()
    return log


def resource_cell(proj: PulumiProject, emu: RunningEmulator, phase: Phase, fault: Fault) -> Cell:
    cell = Cell(phase.name, fault.label)
    started = time.monotonic()
    phase.before(proj, emu)
    inject(emu, fault, (phase.storm_op, phase.transient_op))
    res = phase.run(proj)
    callers = len(phase.storm_callers)
    log = settle(emu, fault.storm_served(callers) + TRANSIENT)
    cell.runs += 1

    # The faulty run: the storm's resources failed with one clean line each, after exactly
    # ATTEMPTS calls; the transient fault's resources got through. One exception: a create or
    # update whose writes all timed out but landed is found applied by a read, and succeeds (so
    # that the state records what AWS holds, and a next create cannot mistake its own write for
    # the account's previous settings).
    verified = phase.name in ("create", "update") and fault.kind == "latency"
    failing = () if verified or fault.refused else phase.storm_callers
    assert_clean_failure(res, failing, phase.storm_op)
    cell.failed = len(failing)
    cell.verified = callers if verified else 0
    cell.retried = len(phase.transient_callers) + (callers if fault.refused else 0)
    calls = log["calls"]
    if verified and phase.name == "create":
        assert calls.get("GetAccount") == 2, calls  # the usual read, and the verifying one
    if verified and phase.name == "update":
        # partial-vdm's read before its write (an option is unmanaged), and one verifying read
        # per set.
        assert calls.get("GetConfigurationSet") == 3, calls
    assert calls.get(phase.storm_op) == fault.storm_calls(callers), calls
    assert calls.get(phase.transient_op) == len(phase.transient_callers) + TRANSIENT, calls
    cell.attempts = {
        phase.storm_op: calls[phase.storm_op],
        phase.transient_op: calls[phase.transient_op],
    }
    cell.injected = sum(log["faulted"].values())
    assert cell.injected == fault.storm_served(callers) + TRANSIENT, log["faulted"]

    # Recovery: faults off, one refresh and one up.
    proj.refresh().check()
    proj.up().check()
    cell.runs += 2
    now = live(emu)
    names, outputs, pending = our_resources(proj)
    assert names == sorted(phase.expected_resources)
    assert not pending, pending
    spec = declared("ENABLED" if phase.name == "create" else "DISABLED")
    wanted = {k: v for k, v in expected_managed(spec).items() if k in phase.expected_resources}
    assert managed_outputs(outputs) == wanted
    assert now == phase.expected_live, now
    cell.converged = True
    lost = data_lost(now, phase.name, outputs)
    cell.data_lost = len(lost)
    assert not lost, lost
    cell.seconds = time.monotonic() - started
    return cell


def expected_component_outputs(emu: RunningEmulator) -> dict[str, Any]:
    client = emu.boto3_client(REGION)
    recs = client.list_recommendations(Filter={"STATUS": "OPEN"}, PageSize=100)
    assert not recs.get("NextToken")
    days = [TODAY - timedelta(days=d) for d in (3, 2, 1)]
    return {
        "recommendation_count": len(recs["Recommendations"]),
        "recommendation_keys": sorted(
            f"{r['ResourceArn']} {r['Type']}" for r in recs["Recommendations"]
        ),
        "metric_series": {
            metric.lower(): {
                "metric": metric,
                "dimensions": {},
                "timestamps": [d.isoformat() for d in days],
                "values": [metric_value(metric, {}, d) for d in days],
            }
            for metric in ("SEND", "DELIVERY")
        },
    }


def component_cell(proj: PulumiProject, emu: RunningEmulator, fault: Fault) -> Cell:
    cell = Cell("component reads", fault.label)
    started = time.monotonic()
    inject(emu, fault, ("ListRecommendations", "BatchGetMetricData"))
    res = proj.up()
    log = settle(emu, fault.storm_served(1) + TRANSIENT)
    cell.runs += 1
    assert_clean_failure(res, () if fault.refused else ("recommendations",), "ListRecommendations")
    calls = log["calls"]
    assert calls.get("ListRecommendations") == fault.storm_calls(1), calls
    assert calls.get("BatchGetMetricData") == 1 + TRANSIENT, calls
    cell.failed, cell.retried = (0, 2) if fault.refused else (1, 1)
    cell.attempts = {op: calls[op] for op in ("ListRecommendations", "BatchGetMetricData")}
    cell.injected = sum(log["faulted"].values())
    assert cell.injected == fault.storm_served(1) + TRANSIENT, log["faulted"]
    proj.refresh().check()
    proj.up().check()
    cell.runs += 2
    outs = proj.outputs()
    outs["recommendation_keys"] = sorted(outs["recommendation_keys"])
    assert outs == expected_component_outputs(emu)
    names, _, pending = our_resources(proj)
    assert names == [] and not pending
    cell.converged = True
    cell.seconds = time.monotonic() - started
    return cell


def readme_region() -> str:
    text = (ROOT / "README.md").read_text()
    match = re.search(
        r"<!-- BEGIN reliability[^>]*-->(.*?)<!-- END reliability -->", text, flags=re.S
    )
    return match.group(1) if match else ""


@pytest.mark.slow
def test_every_fault_in_every_phase_converges(
    project: PulumiProject, engine_emulator: RunningEmulator
) -> None:
    cells: list[Cell] = []
    for fault in FAULTS:
        for phase in PHASES:
            cells.append(resource_cell(project, engine_emulator, phase, fault))
    reseed(engine_emulator)
    project.write_spec({"components": True})
    for fault in FAULTS:
        cells.append(component_cell(project, engine_emulator, fault))

    table = render(cells)
    print("\n" + table)
    print("seconds per cell:", ", ".join(f"{c.phase}/{c.fault}: {c.seconds:.1f}" for c in cells))
    target = os.environ.get("VDM_RELIABILITY_TABLE")
    if target:
        Path(target).write_text(table + "\n")
    assert all(c.converged for c in cells)
    assert sum(c.data_lost for c in cells) == 0
    assert table in readme_region(), "README's reliability table is stale:\n" + table
