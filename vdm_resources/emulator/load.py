"""A steady load from "another client" of the same account, for tests and benchmarks.

AWS's limits are per account and region, so a program shares its budget with every other
client there (other stacks, CI jobs, a console user). A load here takes a token from the
operation's bucket ``rate`` times a second, as that other client's call would; a refused token
is the other client being throttled. Its calls never reach the backend and are counted apart
from real requests (``RequestLog.record_outside``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID

from .._model import service_model
from .ratelimit import RateLimiter
from .signing import validate_account_id

#: More would only measure this thread, not AWS's buckets.
MAX_RATE = 1000.0


@dataclass
class Load:
    operation: str
    rate: float
    region: str
    account_id: str
    queries: int
    calls: int = 0
    throttled: int = 0
    stop: threading.Event = field(default_factory=threading.Event, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "rate": self.rate,
            "region": self.region,
            "account_id": self.account_id,
            "queries": self.queries,
            "calls": self.calls,
            "throttled": self.throttled,
        }


def parse_load(body: Mapping[str, Any]) -> Load:
    """A load from a control request, refused with a message naming the field."""
    operation = body.get("operation")
    if operation not in service_model().operation_names:
        raise ValueError(f"operation must be a SESv2 operation name, not {operation!r}")
    rate = body.get("rate")
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 < rate <= MAX_RATE:
        raise ValueError(f"rate must be calls per second in (0, {MAX_RATE:g}], not {rate!r}")
    region = body.get("region", "us-east-1")
    if not isinstance(region, str) or not region:
        raise ValueError(f"region must be a region name, not {region!r}")
    queries = body.get("queries", 0)
    if isinstance(queries, bool) or not isinstance(queries, int) or queries < 0:
        raise ValueError(f"queries must be an integer >= 0, not {queries!r}")
    account_id = validate_account_id(body.get("account_id", DEFAULT_ACCOUNT_ID))
    return Load(str(operation), float(rate), region, account_id, queries)


class OutsideLoad:
    """Running loads, at most one per (account, region, operation): a new one replaces it."""

    def __init__(self, limiter: RateLimiter, record: Callable[[str, bool], None]) -> None:
        self._limiter = limiter
        self._record = record
        self._lock = threading.Lock()
        self._running: dict[tuple[str, str, str], tuple[Load, threading.Thread]] = {}

    def start(self, load: Load) -> None:
        key = (load.account_id, load.region, load.operation)
        self.stop(key)
        thread = threading.Thread(
            target=self._run, args=(load,), name=f"outside-load-{load.operation}", daemon=True
        )
        with self._lock:
            self._running[key] = (load, thread)
        thread.start()

    def stop(self, key: tuple[str, str, str] | None = None, operation: str | None = None) -> None:
        """Stop one load (``key``), those of ``operation``, or all; returns once they ended."""
        with self._lock:
            chosen = [
                k
                for k in self._running
                if (key is None or k == key) and (operation is None or k[2] == operation)
            ]
            stopping = [self._running.pop(k) for k in chosen]
        for load, _ in stopping:
            load.stop.set()
        for _, thread in stopping:
            thread.join(timeout=10)

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [load.to_json() for load, _ in self._running.values()]

    def _run(self, load: Load) -> None:
        """One token attempt every ``1/rate`` seconds, on a fixed schedule (no drift)."""
        interval = 1.0 / load.rate
        next_at = time.monotonic()
        while not load.stop.is_set():
            taken = self._limiter.acquire(
                load.operation, load.region, load.queries, account_id=load.account_id
            )
            load.calls += 1
            load.throttled += 0 if taken else 1
            self._record(load.operation, not taken)
            next_at += interval
            load.stop.wait(max(0.0, next_at - time.monotonic()))
