"""How close does a ``pulumi up`` of vdm-resources get to the floor AWS's rate limits set?

AWS allows the SES management calls these resources make 1 call/s per (account, region,
operation), so N writes cannot take less than N seconds: that physical floor, not our code, is
what a large stack is bound by. This script measures each lifecycle phase of real stacks through
the real ``pulumi`` CLI against the bundled SESv2 emulator enforcing AWS's limits, and compares
wall time with the floor implied by the SESv2 calls the emulator actually answered. It also counts
wasted calls (a no-op preview must make none), throttled answers and failures, and measures what
the provider itself costs per resource operation once the API call is taken out, in-process,
where the engine's own start-up cost cannot hide it.

``--rate-scale X`` multiplies every rate on both sides (the emulator's ``--rate-scale`` and the
provider's ``VDM_RATE_SCALE``) so the run is X times shorter while calls ÷ rate stays meaningful;
the engine's fixed start-up cost does not shrink with it, so a higher X makes wall ÷ floor worse,
never better. Run ``--help`` for the options.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the repo's packages importable
    sys.path.insert(0, str(ROOT))

from pulumi.dynamic import Config, ConfigureRequest  # noqa: E402
from pulumi.dynamic.dynamic import serialize_provider  # noqa: E402

from tests.engine.harness import PulumiProject  # noqa: E402
from vdm_resources import _aws  # noqa: E402
from vdm_resources.account_vdm_attributes import AccountVdmAttributesProvider  # noqa: E402
from vdm_resources.configuration_set_vdm_options import (  # noqa: E402
    ConfigurationSetVdmOptionsProvider,
)
from vdm_resources.emulator.ratelimit import (  # noqa: E402
    DEFAULT_CALLS_PER_SECOND,
)
from vdm_resources.emulator.ratelimit import (  # noqa: E402
    OPERATION_RATES as EMULATOR_RATES,
)
from vdm_resources.emulator.testing import RunningEmulator, start_emulator  # noqa: E402

REGION = "us-east-1"
PROJECT = "vdm-bench"
PHASES = ("create", "preview", "update", "refresh", "destroy")
#: Phases whose wall time is held to the floor (preview makes no calls; refresh is reported).
RATIO_PHASES = ("create", "update", "destroy")
RATIO_TARGET = 1.15
OVERHEAD_TARGET_MS = 5.0
PROVIDER_BYTES_TARGET = 200
SHORT_NAMES = {
    "GetConfigurationSet": "GetCS",
    "PutConfigurationSetVdmOptions": "PutCSVdm",
    "GetAccount": "GetAcct",
    "PutAccountVdmAttributes": "PutAcctVdm",
}
T = TypeVar("T")


# --------------------------------------------------------------------------- engine phases


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

    @property
    def failures(self) -> int:
        return int(self.exit_code != 0) + sum(self.errors.values()) + int(self.verified is False)

    @property
    def writes(self) -> int:
        return sum(v for op, v in self.answered.items() if op.startswith("Put"))

    @property
    def reads(self) -> int:
        return sum(v for op, v in self.answered.items() if op.startswith("Get"))


def allowed_rate(operation: str, scale: float) -> float:
    """The emulator's enforced calls/s for ``operation`` (AWS's documented rate times scale)."""
    calls, _queries = EMULATOR_RATES.get(operation, (DEFAULT_CALLS_PER_SECOND, None))
    return calls * scale


def floor_of(answered: Mapping[str, int], scale: float) -> tuple[float, str | None]:
    """Calls ÷ rate per operation bucket; buckets are independent, so the phase's floor is the
    slowest bucket, not their sum. Throttled attempts are left out: a refused call costs AWS no
    token, so it adds waste to the wall time but nothing to the floor."""
    best, which = 0.0, None
    for op, count in answered.items():
        seconds = count / allowed_rate(op, scale)
        if seconds > best:
            best, which = seconds, op
    return best, which


def projected_ratio(wall: float, span: float, floor: float, scale: float) -> float:
    """wall ÷ floor at AWS's real rates, from a run at ``scale``.

    The time between the first and the last SESv2 call stretches by ``scale`` at real rates;
    the rest (engine and plugin start-up, program run, checkpoint writes) does not. A scaled
    run therefore overstates the ratio, and this says by how much.
    """
    return ((wall - span) + span * scale) / (floor * scale)


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


def state_file(project: PulumiProject) -> Path | None:
    """The file backend's checkpoint for the stack, i.e. what ``pulumi up`` rewrites on disk."""
    stacks = project.workdir / ".state" / ".pulumi" / "stacks"
    found = sorted(stacks.glob(f"**/{project.stack}.json"))
    return found[0] if found else None


def spec(names: Sequence[str], dashboard: str) -> dict[str, Any]:
    """One account resource plus one options resource per set; ``dashboard`` flips every one."""
    return {
        "account": {
            "vdm_enabled": "ENABLED",
            "dashboard_attributes": {"engagement_metrics": dashboard},
            "guardian_attributes": {"optimized_shared_delivery": "ENABLED"},
        },
        "export_sets": False,
        "configuration_sets": {
            f"{name}-vdm": {
                "configuration_set_name": name,
                "dashboard_options": {"engagement_metrics": dashboard},
                "guardian_options": {"optimized_shared_delivery": "ENABLED"},
            }
            for name in names
        },
    }


def verify(emu: RunningEmulator, names: Sequence[str], expected: dict[str, Any] | None) -> bool:
    """Whether every set holds ``expected`` (None: no override) after a phase - a fast run
    that wrote the wrong thing is not a result."""
    state = emu.control.state()["regions"].get(REGION, {})
    live = {s["ConfigurationSetName"]: s.get("VdmOptions") for s in state["configuration_sets"]}
    return all((live.get(n) or None) == expected for n in names)


def expected_options(dashboard: str) -> dict[str, Any]:
    return {
        "DashboardOptions": {"EngagementMetrics": dashboard},
        "GuardianOptions": {"OptimizedSharedDelivery": "ENABLED"},
    }


def run_phase(
    project: PulumiProject,
    emu: RunningEmulator,
    *,
    n: int,
    phase: str,
    args: Sequence[str],
    scale: float,
    log_dir: Path,
) -> PhaseResult:
    # Fresh buckets and an empty request log per phase, so each phase starts where a real run
    # after a pause would and its calls are its own.
    emu.control.reset_requests()
    emu.control.set_rate_limits(enabled=True, scale=scale)
    timeout = 900 + 4 * (n + 1) / scale
    started = time.time()
    res = project.run(*args, timeout=timeout)
    wall = time.time() - started
    (log_dir / f"{phase}.log").write_text(f"$ pulumi {' '.join(args)}\n{res.stdout}\n{res.stderr}")
    snap = emu.control.requests()
    calls = {op: int(v) for op, v in snap["calls"].items()}
    throttled = {op: int(v) for op, v in snap["throttled"].items() if v}
    answered = {op: calls[op] - throttled.get(op, 0) for op in calls}
    errors: dict[str, int] = {}
    for op, statuses in snap["statuses"].items():
        bad = sum(
            int(v) for k, v in statuses.items() if not (k.isdigit() and (200 <= int(k) < 300))
        ) - throttled.get(op, 0)
        if bad:
            errors[op] = bad
    times = sorted(float(e["time"]) for e in snap["log"])
    floor, floor_op = floor_of(answered, scale)
    span = times[-1] - times[0] if times else 0.0
    path = state_file(project)
    return PhaseResult(
        n=n,
        phase=phase,
        command="pulumi " + " ".join(args),
        resources=n + 1,
        wall_s=round(wall, 3),
        exit_code=res.returncode,
        calls=calls,
        answered=answered,
        throttled=throttled,
        errors=errors,
        floor_s=round(floor, 3),
        floor_operation=floor_op,
        ratio=round(wall / floor, 3) if floor else None,
        projected_ratio=round(projected_ratio(wall, span, floor, scale), 3) if floor else None,
        first_call_s=round(times[0] - started, 3) if times else None,
        api_span_s=round(times[-1] - times[0], 3) if times else None,
        tail_s=round(started + wall - times[-1], 3) if times else None,
        verified=None,
        state_bytes=path.stat().st_size if path else 0,
        summary=engine_summary(res.stdout),
    )


@dataclass
class StateSize:
    """What the stack costs on disk after create: the checkpoint and the pickled provider."""

    n: int
    state_bytes: int
    bytes_per_resource: float
    properties_bytes_per_resource: float
    provider_bytes: int
    provider_copies_per_resource: float


def measure_state(project: PulumiProject, n: int) -> StateSize:
    path = state_file(project)
    if path is None:
        return StateSize(n, 0, 0.0, 0.0, 0, 0.0)
    doc = json.loads(path.read_text())
    resources = doc.get("checkpoint", {}).get("latest", {}).get("resources", []) or []
    blobs: list[int] = []
    dynamic = 0
    properties = 0
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


def bench_size(
    n: int, *, scale: float, parallel: int, work: Path, progress: Callable[[str], None]
) -> tuple[list[PhaseResult], StateSize]:
    """The five phases on a fresh stack of ``n`` sets plus the account, on a fresh emulator."""
    names = [f"bench-{i:04d}" for i in range(n)]
    workdir = work / f"n{n}"
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    with start_emulator(rate_scale=scale, rate_limits=True) as emu:
        emu.control.seed(
            {
                "regions": {
                    REGION: {"configuration_sets": [{"ConfigurationSetName": s} for s in names]}
                }
            }
        )
        project = PulumiProject.create(
            workdir / "project",
            emu.env,
            name=PROJECT,
            region=REGION,
            extra_env={_aws.RATE_SCALE_ENV: repr(float(scale))},
        )
        par = ("--parallel", str(parallel))
        apply = ("--yes", "--skip-preview", *par)
        on, off = expected_options("ENABLED"), expected_options("DISABLED")
        plan: list[tuple[str, str, tuple[str, ...], dict[str, Any] | None]] = [
            ("create", "ENABLED", ("up", *apply), on),
            ("preview", "ENABLED", ("preview", "--expect-no-changes", *par), None),
            ("update", "DISABLED", ("up", *apply), off),
            ("refresh", "DISABLED", ("refresh", *apply), None),
            ("destroy", "DISABLED", ("destroy", *apply), None),
        ]
        results: list[PhaseResult] = []
        state = StateSize(n, 0, 0.0, 0.0, 0, 0.0)
        for phase, dashboard, args, expected in plan:
            project.write_spec(spec(names, dashboard))
            result = run_phase(
                project, emu, n=n, phase=phase, args=args, scale=scale, log_dir=workdir
            )
            if phase in ("create", "update", "destroy"):
                result.verified = verify(emu, names, expected)
            if phase == "create":
                state = measure_state(project, n)
            results.append(result)
            progress(
                f"N={n:<4} {phase:<8} wall {result.wall_s:7.2f}s  floor {result.floor_s:7.2f}s  "
                f"calls {sum(result.answered.values()):4d}  429s {sum(result.throttled.values())}"
                f"  exit {result.exit_code}"
            )
            if result.exit_code != 0:
                progress(f"  engine failed; see {workdir / (phase + '.log')}")
    return results, state


# --------------------------------------------------------------------------- provider overhead


@dataclass
class ApiMeter:
    """Time spent inside botocore (serialize, HTTP, parse) during one provider operation."""

    calls: int = 0
    wall: float = 0.0
    cpu: float = 0.0

    def reset(self) -> None:
        self.calls, self.wall, self.cpu = 0, 0.0, 0.0


class TimedClient:
    """Wraps a boto3 client so the API call itself can be subtracted from a provider op.

    Everything outside the botocore method - the provider's logic, pydantic checks, our
    ``_aws.call`` layer (pacer, retry bookkeeping, observers) - stays in the measurement.
    """

    def __init__(self, inner: Any, meter: ApiMeter) -> None:
        self._inner = inner
        self._meter = meter

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._inner, name)
        meter = self._meter

        def timed(*args: Any, **kwargs: Any) -> Any:
            wall0, cpu0 = time.perf_counter(), time.thread_time()
            try:
                return method(*args, **kwargs)
            finally:
                meter.calls += 1
                meter.wall += time.perf_counter() - wall0
                meter.cpu += time.thread_time() - cpu0

        return timed


@dataclass
class OpSamples:
    cpu_ms: list[float] = field(default_factory=list)
    wall_ms: list[float] = field(default_factory=list)
    api_calls: int = 0
    api_wall_ms: float = 0.0


@dataclass
class OverheadRow:
    operation: str
    samples: int
    cpu_ms_mean: float
    cpu_ms_p95: float
    wall_ms_p50: float
    api_calls_per_op: float
    api_ms_per_call: float | None


def p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


class Recorder:
    def __init__(self, meter: ApiMeter) -> None:
        self.meter = meter
        self.samples: dict[str, OpSamples] = {}
        self.enabled = True

    def __call__(self, kind: str, fn: Callable[[], T]) -> T:
        self.meter.reset()
        wall0, cpu0 = time.perf_counter(), time.thread_time()
        out = fn()
        wall, cpu = time.perf_counter() - wall0, time.thread_time() - cpu0
        if self.enabled:
            s = self.samples.setdefault(kind, OpSamples())
            s.cpu_ms.append((cpu - self.meter.cpu) * 1000)
            s.wall_ms.append((wall - self.meter.wall) * 1000)
            s.api_calls += self.meter.calls
            s.api_wall_ms += self.meter.wall * 1000
        return out

    def rows(self) -> list[OverheadRow]:
        out = []
        for kind, s in self.samples.items():
            out.append(
                OverheadRow(
                    operation=kind,
                    samples=len(s.cpu_ms),
                    cpu_ms_mean=round(statistics.fmean(s.cpu_ms), 3),
                    cpu_ms_p95=round(p95(s.cpu_ms), 3),
                    wall_ms_p50=round(statistics.median(s.wall_ms), 3),
                    api_calls_per_op=round(s.api_calls / len(s.cpu_ms), 2),
                    api_ms_per_call=round(s.api_wall_ms / s.api_calls, 3) if s.api_calls else None,
                )
            )
        return out


@contextmanager
def provider_environment(emu: RunningEmulator) -> Iterator[None]:
    """The provider process's environment (emulator endpoint, pacing off), in this process."""
    keys = [*emu.env, _aws.RATE_SCALE_ENV]
    saved = {k: os.environ.get(k) for k in keys}
    os.environ.update(emu.env)
    os.environ[_aws.RATE_SCALE_ENV] = "off"
    _aws.reset_clients()
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        _aws.reset_clients()


def _cs_lifecycle(
    record: Recorder, provider: ConfigurationSetVdmOptionsProvider, blob: str, name: str
) -> None:
    """The calls the engine makes for one set across create, no-op preview, update, refresh,
    destroy - in the same order and with the same property shapes (``__provider`` included)."""
    kind = "ConfigurationSetVdmOptions."
    news: dict[str, Any] = {
        "configuration_set_name": name,
        "dashboard_options": {"engagement_metrics": "ENABLED"},
        "guardian_options": {"optimized_shared_delivery": "ENABLED"},
        "region": None,
        "previous_vdm_options": None,
        "__name": f"{name}-vdm",
        "__provider": blob,
    }
    checked = record(kind + "check", lambda: provider.check({}, news)).inputs
    created = record(kind + "create", lambda: provider.create(checked))
    outs = {**(created.outs or {}), "__provider": blob}
    if record(kind + "diff", lambda: provider.diff(name, outs, checked)).changes:
        raise AssertionError(f"no-op diff of {name} reports changes")
    news2 = {**news, "dashboard_options": {"engagement_metrics": "DISABLED"}}
    checked2 = record(kind + "check", lambda: provider.check(checked, news2)).inputs
    if not record(kind + "diff", lambda: provider.diff(name, outs, checked2)).changes:
        raise AssertionError(f"diff of {name} misses a change")
    updated = record(kind + "update", lambda: provider.update(name, outs, checked2))
    outs2 = {**(updated.outs or {}), "__provider": blob}
    read = record(kind + "read", lambda: provider.read(name, outs2))
    outs3 = {**(read.outs or {}), "__provider": blob}
    record(kind + "delete", lambda: provider.delete(name, outs3))


def _account_lifecycle(record: Recorder, provider: AccountVdmAttributesProvider, blob: str) -> None:
    kind = "AccountVdmAttributes."
    news: dict[str, Any] = {
        "vdm_enabled": "ENABLED",
        "dashboard_attributes": {"engagement_metrics": "ENABLED"},
        "guardian_attributes": {"optimized_shared_delivery": "ENABLED"},
        "region": None,
        "restore_on_delete": None,
        "previous_vdm_attributes": None,
        "__name": "account",
        "__provider": blob,
    }
    checked = record(kind + "check", lambda: provider.check({}, news)).inputs
    created = record(kind + "create", lambda: provider.create(checked))
    outs = {**(created.outs or {}), "__provider": blob}
    if record(kind + "diff", lambda: provider.diff(REGION, outs, checked)).changes:
        raise AssertionError("no-op diff of the account reports changes")
    news2 = {**news, "dashboard_attributes": {"engagement_metrics": "DISABLED"}}
    checked2 = record(kind + "check", lambda: provider.check(checked, news2)).inputs
    if not record(kind + "diff", lambda: provider.diff(REGION, outs, checked2)).changes:
        raise AssertionError("diff of the account misses a change")
    updated = record(kind + "update", lambda: provider.update(REGION, outs, checked2))
    outs2 = {**(updated.outs or {}), "__provider": blob}
    read = record(kind + "read", lambda: provider.read(REGION, outs2))
    outs3 = {**(read.outs or {}), "__provider": blob}
    record(kind + "delete", lambda: provider.delete(REGION, outs3))


def measure_overhead(count: int, progress: Callable[[str], None]) -> dict[str, Any]:
    """Provider time per resource operation with the API call subtracted.

    In-process, because inside ``pulumi up`` the engine's start-up and gRPC hops (and the pacer's
    deliberate waits) swamp a few milliseconds; pacing is off for the same reason. The provider
    methods are the ones the dynamic-provider host calls; its own protobuf marshalling is the
    SDK's and is not counted.
    """
    warmup = 3
    names = [f"ovh-{i:04d}" for i in range(count + warmup)]
    meter = ApiMeter()
    record = Recorder(meter)
    with start_emulator(rate_limits=False) as emu, provider_environment(emu):
        emu.control.seed(
            {
                "regions": {
                    REGION: {"configuration_sets": [{"ConfigurationSetName": s} for s in names]}
                }
            }
        )
        original = _aws.client

        def timed_client(region: str) -> Any:
            return TimedClient(original(region), meter)

        setattr(_aws, "client", timed_client)  # noqa: B010 - patching the module's lookup
        try:
            config = ConfigureRequest(Config({"aws:region": REGION}, PROJECT))
            cs, account = ConfigurationSetVdmOptionsProvider(), AccountVdmAttributesProvider()
            cs_blob, account_blob = serialize_provider(cs), serialize_provider(account)
            cs.configure(config)
            account.configure(config)
            # The first calls build the botocore client and load its service model: a once per
            # process cost, not a per-operation one.
            record.enabled = False
            for name in names[:warmup]:
                _cs_lifecycle(record, cs, cs_blob, name)
            _account_lifecycle(record, account, account_blob)
            record.enabled = True
            for name in names[warmup:]:
                _cs_lifecycle(record, cs, cs_blob, name)
            for _ in range(max(1, min(count, 50))):
                _account_lifecycle(record, account, account_blob)
        finally:
            setattr(_aws, "client", original)  # noqa: B010
    rows = record.rows()
    progress(
        "overhead: "
        + ", ".join(f"{r.operation.split('.')[-1]} {r.cpu_ms_mean:.2f}ms" for r in rows[:6])
    )
    return {
        "resources": count,
        "rows": [asdict(r) for r in rows],
        "provider_blob_bytes": {
            "ConfigurationSetVdmOptions": len(cs_blob),
            "AccountVdmAttributes": len(account_blob),
        },
    }


# --------------------------------------------------------------------------- report


@dataclass
class Target:
    name: str
    measured: str
    met: bool


def evaluate(
    runs: Sequence[PhaseResult], states: Sequence[StateSize], overhead: Mapping[str, Any]
) -> list[Target]:
    targets: list[Target] = []
    largest = max(r.n for r in runs)
    for phase in RATIO_PHASES:
        run = next((r for r in runs if r.n == largest and r.phase == phase), None)
        ratio = run.ratio if run else None
        measured = "no floor"
        if run is not None and run.ratio is not None:
            measured = f"{run.ratio:.3f} (at AWS rates, projected: {run.projected_ratio:.3f})"
        targets.append(
            Target(
                f"wall ÷ floor ≤ {RATIO_TARGET} for {phase} at N = {largest}",
                measured,
                ratio is not None and ratio <= RATIO_TARGET,
            )
        )
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
    worst_update = max((w / res for w, res in updates), default=0.0)
    targets.append(
        Target(
            "update: at most one write per changed resource",
            f"max {worst_update:.2f} writes/resource",
            all(w <= res for w, res in updates),
        )
    )
    refreshes = [
        (sum(r.answered.values()), r.reads, r.resources) for r in runs if r.phase == "refresh"
    ]
    worst_refresh = max((c / res for c, _, res in refreshes), default=0.0)
    targets.append(
        Target(
            "refresh: at most one read per resource",
            f"max {worst_refresh:.2f} calls/resource",
            all(c == reads and reads <= res for c, reads, res in refreshes),
        )
    )
    rows = overhead.get("rows", [])
    worst = max(rows, key=lambda r: r["cpu_ms_mean"], default=None)
    targets.append(
        Target(
            f"provider overhead per operation, API call excluded, < {OVERHEAD_TARGET_MS:g} ms",
            f"max mean {worst['cpu_ms_mean']:.2f} ms CPU ({worst['operation']})"
            if worst
            else "not measured",
            worst is not None and worst["cpu_ms_mean"] < OVERHEAD_TARGET_MS,
        )
    )
    blob = max((s.provider_bytes for s in states), default=0)
    targets.append(
        Target(
            f"`__provider` < {PROVIDER_BYTES_TARGET} bytes per resource",
            f"{blob} bytes",
            0 < blob < PROVIDER_BYTES_TARGET,
        )
    )
    return targets


def _fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _ops(counts: Mapping[str, int]) -> str:
    if not counts:
        return "none"
    return ", ".join(
        f"{SHORT_NAMES.get(op, op)} {v}" for op, v in sorted(counts.items(), key=lambda kv: -kv[1])
    )


def render_markdown(report: Mapping[str, Any]) -> str:
    cfg = report["config"]
    runs = [PhaseResult(**r) for r in report["runs"]]
    lines = [
        f"Command: `{report['command']}`",
        "",
        f"Rate scale **{cfg['rate_scale']:g}**: the emulator enforces AWS's rates times "
        f"{cfg['rate_scale']:g} and the provider paces at the same (`VDM_RATE_SCALE="
        f"{cfg['rate_scale']:g}`), so 1 call/s operations run at {cfg['rate_scale']:g} calls/s. "
        f"`--parallel {cfg['parallel']}`; pulumi {report['environment']['pulumi']}, Python "
        f"{report['environment']['python']}, {report['environment']['cpus']} CPUs. "
        "Floor = max over operations of answered calls ÷ allowed rate (429s excluded: a refused "
        "call takes no token). *At AWS rates (projected)*: the same run with the span between "
        "first and last SESv2 call stretched back to scale 1 and the engine's fixed time kept. "
        "*To 1st call*: engine start-up, program run and plugin load before the first call.",
        "",
        "| N | phase | wall s | floor s | wall ÷ floor | at AWS rates (projected) | SESv2 calls | "
        "calls/resource | by operation | 429s | failures | to 1st call s | call span s |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for r in runs:
        answered = sum(r.answered.values())
        lines.append(
            f"| {r.n} | {r.phase} | {r.wall_s:.2f} | {r.floor_s:.2f} | {_fmt(r.ratio)} | "
            f"{_fmt(r.projected_ratio)} | {answered} | {answered / r.resources:.2f} | "
            f"{_ops(r.answered)} | "
            f"{sum(r.throttled.values())} | {r.failures} | {_fmt(r.first_call_s)} | "
            f"{_fmt(r.api_span_s)} |"
        )
    lines += [
        "",
        "| N | state file bytes (after create) | bytes / resource | of which properties | "
        "`__provider` bytes | `__provider` copies / resource |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for s in report["state"]:
        lines.append(
            f"| {s['n']} | {s['state_bytes']} | {s['bytes_per_resource']:.0f} | "
            f"{s['properties_bytes_per_resource']:.0f} | {s['provider_bytes']} | "
            f"{s['provider_copies_per_resource']:g} |"
        )
    ovh = report["overhead"]
    lines += [
        "",
        f"Provider overhead, in-process against the emulator with pacing off, botocore call "
        f"excluded ({ovh['resources']} sets; the account's ops repeated):",
        "",
        "| operation | samples | CPU ms mean | CPU ms p95 | wall ms p50 | API calls / op | "
        "API ms / call |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in ovh["rows"]:
        lines.append(
            f"| {row['operation']} | {row['samples']} | {row['cpu_ms_mean']:.3f} | "
            f"{row['cpu_ms_p95']:.3f} | {row['wall_ms_p50']:.3f} | {row['api_calls_per_op']:g} | "
            f"{_fmt(row['api_ms_per_call'])} |"
        )
    lines += ["", "| target | measured | |", "|---|---|---|"]
    for t in report["targets"]:
        lines.append(f"| {t['name']} | {t['measured']} | {'met' if t['met'] else '**missed**'} |")
    return "\n".join(lines) + "\n"


def plot(report: Mapping[str, Any], path: Path) -> None:
    """Wall time beside the floor per phase, and their ratio, against N (log-log)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = [PhaseResult(**r) for r in report["runs"]]
    sizes = sorted({r.n for r in runs})
    colors = {
        "create": "tab:blue",
        "preview": "tab:gray",
        "update": "tab:orange",
        "refresh": "tab:green",
        "destroy": "tab:red",
    }
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
    # Phases with the same floor series share one line, or four identical dashed lines would
    # hide each other.
    floor_series: dict[tuple[tuple[int, float], ...], list[str]] = {}
    for phase in PHASES:
        rows = sorted((r for r in runs if r.phase == phase), key=lambda r: r.n)
        xs = [r.n for r in rows]
        left.plot(xs, [r.wall_s for r in rows], "o-", color=colors[phase], label=f"{phase} wall")
        floors = tuple((r.n, r.floor_s) for r in rows if r.floor_s > 0)
        if not floors:
            continue
        floor_series.setdefault(floors, []).append(phase)
        ratios = [(r.n, r.ratio, r.projected_ratio) for r in rows if r.ratio is not None]
        xr = [x for x, _, _ in ratios]
        right.plot(xr, [y for _, y, _ in ratios], "o-", color=colors[phase], label=phase)
        right.plot(xr, [p for _, _, p in ratios], "--", color=colors[phase], alpha=0.6)
    for floors, phases in floor_series.items():
        single = len(phases) == 1
        left.plot(
            [x for x, _ in floors],
            [y for _, y in floors],
            "--",
            color=colors[phases[0]] if single else "black",
            linewidth=1.5,
            label=f"floor ({', '.join(phases)})",
        )
    right.plot([], [], "--", color="gray", label="projected at AWS rates")
    scale = report["config"]["rate_scale"]
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xlabel("N configuration sets (+1 account resource)")
    left.set_ylabel("seconds")
    left.set_title(f"wall time vs rate-limit floor (rate scale {scale:g})")
    left.set_xticks(sizes, [str(s) for s in sizes])
    left.legend(fontsize=7, ncol=2)
    left.grid(True, which="both", alpha=0.3)
    right.axhline(RATIO_TARGET, color="black", linestyle=":", label=f"target {RATIO_TARGET}")
    right.axhline(1.0, color="black", linewidth=0.6)
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_xlabel("N configuration sets (+1 account resource)")
    right.set_ylabel("wall ÷ floor")
    right.set_title("wall ÷ floor (engine start-up dominates small N)")
    right.set_xticks(sizes, [str(s) for s in sizes])
    right.legend(fontsize=7)
    right.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# --------------------------------------------------------------------------- main


def parse_sizes(raw: str) -> list[int]:
    sizes = [int(part) for part in raw.split(",") if part.strip()]
    if not sizes or any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError("sizes: a comma-separated list of integers >= 1")
    return sizes


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="benchmarks/run.py",
        description=(
            "Measure pulumi up/preview/update/refresh/destroy of N ConfigurationSetVdmOptions "
            "plus one AccountVdmAttributes through the real pulumi CLI against the SESv2 "
            "emulator with AWS's rate limits, compare wall time with the rate-limit floor, and "
            "measure the provider's own overhead in-process. Prints a markdown table; writes "
            "results.json, results.md and wall_vs_floor.png to --out."
        ),
    )
    parser.add_argument(
        "--sizes", type=parse_sizes, default=[1, 10, 50, 200], help="N values (default 1,10,50,200)"
    )
    parser.add_argument(
        "--rate-scale",
        type=float,
        default=2.0,
        metavar="X",
        help=(
            "multiply AWS's rates by X on both the emulator and the provider (default 2: the "
            "whole default run takes about 11 minutes; a higher X shortens it but lets the "
            "engine's fixed start-up weigh more in wall ÷ floor)"
        ),
    )
    parser.add_argument("--parallel", type=int, default=64, help="pulumi --parallel (default 64)")
    parser.add_argument(
        "--overhead-resources",
        type=int,
        default=200,
        metavar="M",
        help="sets driven in-process for the overhead measurement (default 200; 0 skips it)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "benchmarks",
        help="where results.json, results.md and wall_vs_floor.png go (default benchmarks/)",
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=None,
        help="scratch: projects, state, engine logs (default <out>/out/)",
    )
    parser.add_argument("--no-plot", action="store_true", help="skip the PNG")
    parser.add_argument(
        "--render-only",
        action="store_true",
        help="measure nothing: re-judge the targets and redraw results.md and the PNG from "
        "<out>/results.json",
    )
    return parser


def environment() -> dict[str, Any]:
    import subprocess

    try:
        version = subprocess.run(
            ["pulumi", "version"], capture_output=True, text=True, timeout=60, check=False
        ).stdout.strip()
    except OSError:
        version = "unknown"
    return {
        "pulumi": version or "unknown",
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "vdm_resources_sha256": source_fingerprint(),
    }


def source_fingerprint() -> str:
    """Hash of the package sources measured: the numbers belong to this code, not a later one."""
    digest = hashlib.sha256()
    package = ROOT / "vdm_resources"
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def command_line(argv: Sequence[str]) -> str:
    return ".venv/bin/python benchmarks/run.py " + " ".join(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    argv_list = list(sys.argv[1:] if argv is None else argv)
    out: Path = args.out
    work: Path = args.work or out / "out"
    out.mkdir(parents=True, exist_ok=True)
    if args.render_only:
        stored = json.loads((out / "results.json").read_text())
        targets = evaluate(
            [PhaseResult(**r) for r in stored["runs"]],
            [StateSize(**st) for st in stored["state"]],
            stored["overhead"],
        )
        stored["targets"] = [asdict(t) for t in targets]
        (out / "results.json").write_text(json.dumps(stored, indent=2) + "\n")
        (out / "results.md").write_text(render_markdown(stored))
        if not args.no_plot:
            plot(stored, out / "wall_vs_floor.png")
        print(render_markdown(stored), end="")
        return 0
    work.mkdir(parents=True, exist_ok=True)

    # Phase logs mention which command failed; keep progress off stdout so the table is clean.
    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    from tests.engine.harness import engine_bin

    bin_dir = engine_bin()
    if bin_dir is None:
        print("pulumi engine not found: run scripts/setup.sh", file=sys.stderr)
        return 2
    os.environ["PATH"] = os.pathsep.join([str(bin_dir), os.environ.get("PATH", "")])
    started = time.time()
    runs: list[PhaseResult] = []
    states: list[StateSize] = []
    for n in args.sizes:
        phase_results, state = bench_size(
            n, scale=args.rate_scale, parallel=args.parallel, work=work, progress=progress
        )
        runs += phase_results
        states.append(state)
    overhead: dict[str, Any] = {"resources": 0, "rows": [], "provider_blob_bytes": {}}
    if args.overhead_resources > 0:
        overhead = measure_overhead(args.overhead_resources, progress)
    targets = evaluate(runs, states, overhead)
    report: dict[str, Any] = {
        "command": command_line(argv_list),
        "config": {
            "sizes": args.sizes,
            "rate_scale": args.rate_scale,
            "parallel": args.parallel,
            "region": REGION,
        },
        "environment": environment(),
        "elapsed_s": round(time.time() - started, 1),
        "runs": [asdict(r) for r in runs],
        "state": [asdict(s) for s in states],
        "overhead": overhead,
        "targets": [asdict(t) for t in targets],
    }
    markdown = render_markdown(report)
    (out / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    (out / "results.md").write_text(markdown)
    if not args.no_plot:
        plot(report, out / "wall_vs_floor.png")
    print(markdown, end="")
    progress(f"done in {report['elapsed_s']}s; results in {out}")
    return 0 if all(r.exit_code == 0 for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
