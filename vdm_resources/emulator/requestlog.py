"""What the emulator was asked: exact per-operation counters and a bounded list of recent calls.

Tests assert on these counts (calls made, 429s answered, faults served) instead of on timing.
Entries hold operation, region, status, outcome and time only - never headers, keys or bodies.
The outside load's token attempts (``load``) are counted apart, under ``outside``.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from typing import Any


class RequestLog:
    """Thread-safe; every API call, including rejected ones, is recorded exactly once."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self._lock = threading.Lock()
        self._max_entries = max_entries
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._calls: Counter[str] = Counter()
            self._throttled: Counter[str] = Counter()
            self._faulted: Counter[str] = Counter()
            self._statuses: dict[str, Counter[str]] = {}
            self._log: deque[dict[str, Any]] = deque(maxlen=self._max_entries)
            self._outside_calls: Counter[str] = Counter()
            self._outside_throttled: Counter[str] = Counter()

    def record_outside(self, operation: str, throttled: bool) -> None:
        """One call of the other client (the outside load), refused or not."""
        with self._lock:
            self._outside_calls[operation] += 1
            if throttled:
                self._outside_throttled[operation] += 1

    def record(
        self, operation: str, region: str, status: int | None, outcome: str, *, faulted: bool
    ) -> None:
        with self._lock:
            self._calls[operation] += 1
            if status == 429:
                self._throttled[operation] += 1
            if faulted:
                self._faulted[operation] += 1
            key = "dropped" if status is None else str(status)
            self._statuses.setdefault(operation, Counter())[key] += 1
            self._log.append(
                {
                    "operation": operation,
                    "region": region,
                    "status": status,
                    "outcome": outcome,
                    "time": time.time(),
                }
            )

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "total": sum(self._calls.values()),
                "calls": dict(self._calls),
                "throttled": dict(self._throttled),
                "faulted": dict(self._faulted),
                "statuses": {op: dict(c) for op, c in self._statuses.items()},
                "log": list(self._log),
                "outside": {
                    "calls": dict(self._outside_calls),
                    "throttled": dict(self._outside_throttled),
                },
            }
