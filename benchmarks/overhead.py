"""What the provider itself costs per resource operation, with the API call taken out.

In-process, because inside ``pulumi up`` the engine's start-up and gRPC hops (and the pacer's
deliberate waits) swamp a few milliseconds; pacing is off for the same reason. The provider
methods are the ones the dynamic-provider host calls, in the engine's order and with its
property shapes (``__provider`` included); the host's own protobuf marshalling is Pulumi's and
is not counted. Time inside botocore is measured with botocore's own events on the client the
provider uses (:class:`BotocoreMeter`) and subtracted.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

from pulumi.dynamic import Config, ConfigureRequest
from pulumi.dynamic.dynamic import serialize_provider

from vdm_resources import _aws
from vdm_resources.account_vdm_attributes import AccountVdmAttributesProvider
from vdm_resources.configuration_set_vdm_options import ConfigurationSetVdmOptionsProvider
from vdm_resources.emulator.testing import RunningEmulator, start_emulator

from .phases import REGION, Progress, seed_sets, set_names

T = TypeVar("T")


class BotocoreMeter:
    """Calls made, and wall and thread-CPU seconds spent inside botocore, since ``reset``.

    botocore's own work is request building and signing, the HTTP exchange and parsing. The
    package's handlers on the same client (pacing on ``before-send``, the retry decision on
    ``needs-retry``) are the provider's work and stay outside: the clock stops when the request
    is signed and when the answer is parsed, and resumes after the last of those handlers.
    """

    #: (event, what the clock does) in the order botocore emits them; each handler goes after
    #: any other on its event (``register_last``).
    EVENTS = (
        ("provide-client-params.sesv2", "_start"),
        ("request-created.sesv2", "_pause"),
        ("before-send.sesv2", "_resume"),
        ("response-received.sesv2", "_pause"),
        ("needs-retry.sesv2", "_resume"),
        ("after-call.sesv2", "_pause"),
        ("after-call-error.sesv2", "_pause"),
    )

    def __init__(self) -> None:
        self.calls = 0
        self.wall = 0.0
        self.cpu = 0.0
        self._since: dict[int, tuple[float, float]] = {}

    def attach(self, client: Any) -> None:
        events = client.meta.events
        for name, action in self.EVENTS:
            events.register_last(name, getattr(self, action), unique_id=f"vdm-bench-{name}")

    def reset(self) -> None:
        self.calls, self.wall, self.cpu = 0, 0.0, 0.0

    def _start(self, **_: Any) -> None:
        self.calls += 1
        self._resume()

    def _resume(self, **_: Any) -> None:
        self._since.setdefault(threading.get_ident(), (time.perf_counter(), time.thread_time()))

    def _pause(self, **_: Any) -> None:
        since = self._since.pop(threading.get_ident(), None)
        if since is not None:
            self.wall += time.perf_counter() - since[0]
            self.cpu += time.thread_time() - since[1]


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
    """Times one provider method call at a time, less what botocore spent inside it."""

    def __init__(self, meter: BotocoreMeter) -> None:
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
        return [
            OverheadRow(
                operation=kind,
                samples=len(s.cpu_ms),
                cpu_ms_mean=round(statistics.fmean(s.cpu_ms), 3),
                cpu_ms_p95=round(p95(s.cpu_ms), 3),
                wall_ms_p50=round(statistics.median(s.wall_ms), 3),
                api_calls_per_op=round(s.api_calls / len(s.cpu_ms), 2),
                api_ms_per_call=round(s.api_wall_ms / s.api_calls, 3) if s.api_calls else None,
            )
            for kind, s in self.samples.items()
        ]


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


@dataclass
class Noun:
    """One resource type as the engine drives it: its provider, the properties of a create, the
    change an update makes, and the id the engine passes back."""

    kind: str
    provider: Any
    blob: str
    news: dict[str, Any]
    change: dict[str, Any]


def lifecycle(record: Recorder, noun: Noun, ident: str) -> None:
    """check, create, no-op diff, check, diff, update, read, delete: one resource's calls across
    create, no-op preview, update, refresh and destroy."""
    kind, provider, blob = noun.kind + ".", noun.provider, noun.blob
    checked = record(kind + "check", lambda: provider.check({}, noun.news)).inputs
    created = record(kind + "create", lambda: provider.create(checked))
    ident = created.id or ident
    outs = {**(created.outs or {}), "__provider": blob}
    if record(kind + "diff", lambda: provider.diff(ident, outs, checked)).changes:
        raise AssertionError(f"no-op diff of {ident} reports changes")
    news2 = {**noun.news, **noun.change}
    checked2 = record(kind + "check", lambda: provider.check(checked, news2)).inputs
    if not record(kind + "diff", lambda: provider.diff(ident, outs, checked2)).changes:
        raise AssertionError(f"diff of {ident} misses a change")
    updated = record(kind + "update", lambda: provider.update(ident, outs, checked2))
    outs2 = {**(updated.outs or {}), "__provider": blob}
    read = record(kind + "read", lambda: provider.read(ident, outs2))
    outs3 = {**(read.outs or {}), "__provider": blob}
    record(kind + "delete", lambda: provider.delete(ident, outs3))


def configuration_set(name: str) -> Noun:
    provider = ConfigurationSetVdmOptionsProvider()
    blob = serialize_provider(provider)
    news = {
        "configuration_set_name": name,
        "dashboard_options": {"engagement_metrics": "ENABLED"},
        "guardian_options": {"optimized_shared_delivery": "ENABLED"},
        "region": None,
        "previous_vdm_options": None,
        "__name": f"{name}-vdm",
        "__provider": blob,
    }
    change = {"dashboard_options": {"engagement_metrics": "DISABLED"}}
    return Noun("ConfigurationSetVdmOptions", provider, blob, news, change)


def account() -> Noun:
    provider = AccountVdmAttributesProvider()
    blob = serialize_provider(provider)
    news = {
        "vdm_enabled": "ENABLED",
        "dashboard_attributes": {"engagement_metrics": "ENABLED"},
        "guardian_attributes": {"optimized_shared_delivery": "ENABLED"},
        "region": None,
        "restore_on_delete": None,
        "previous_vdm_attributes": None,
        "__name": "account",
        "__provider": blob,
    }
    change = {"dashboard_attributes": {"engagement_metrics": "DISABLED"}}
    return Noun("AccountVdmAttributes", provider, blob, news, change)


def measure_overhead(count: int, progress: Progress) -> dict[str, Any]:
    """Provider time per resource operation with the API call subtracted, for ``count`` sets
    and up to 50 rounds of the account (one resource per region, so its ops repeat)."""
    warmup = 3
    names = set_names("ovh", count + warmup)
    meter = BotocoreMeter()
    record = Recorder(meter)
    with start_emulator(rate_limits=False) as emu, provider_environment(emu):
        seed_sets(emu, names)
        config = ConfigureRequest(Config({"aws:region": REGION}, "vdm-bench"))
        cs, acct = configuration_set(names[0]), account()
        cs.provider.configure(config)
        acct.provider.configure(config)
        # The first calls build the botocore client and load its service model: a once per
        # process cost, not a per-operation one. The meter goes on the client they built.
        record.enabled = False
        for name in names[:warmup]:
            lifecycle(record, configuration_set_as(cs, name), name)
        lifecycle(record, acct, REGION)
        meter.attach(_aws.client(REGION))
        record.enabled = True
        for name in names[warmup:]:
            lifecycle(record, configuration_set_as(cs, name), name)
        for _ in range(max(1, min(count, 50))):
            lifecycle(record, acct, REGION)
    rows = record.rows()
    progress(
        "overhead: "
        + ", ".join(f"{r.operation.split('.')[-1]} {r.cpu_ms_mean:.2f}ms" for r in rows[:6])
    )
    return {
        "resources": count,
        "rows": [asdict(r) for r in rows],
        "provider_blob_bytes": {cs.kind: len(cs.blob), acct.kind: len(acct.blob)},
    }


def configuration_set_as(noun: Noun, name: str) -> Noun:
    """The same provider and blob, another set: one provider serves every resource of a type."""
    news = {**noun.news, "configuration_set_name": name, "__name": f"{name}-vdm"}
    return Noun(noun.kind, noun.provider, noun.blob, news, noun.change)
