"""What the emulator was asked: exact per-operation counters and a bounded list of recent calls.

Tests assert on these counts (calls made, 429s answered, faults served) instead of on timing.
The top-level counters are SESv2's (the service under test); each account's SESv2 calls and
throttles are also counted apart (``accounts``), STS calls under ``sts``, and the outside load's
token attempts (``load``) under ``outside``. Log entries hold service, operation, region,
account, status, outcome and time only - never headers, keys, tokens or bodies.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID


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
            self._accounts: dict[str, tuple[Counter[str], Counter[str]]] = {}
            self._sts_calls: Counter[str] = Counter()
            self._sts_statuses: dict[str, Counter[str]] = {}
            self._log: deque[dict[str, Any]] = deque(maxlen=self._max_entries)
            self._outside_calls: Counter[str] = Counter()
            self._outside_throttled: Counter[str] = Counter()

    def record(
        self,
        operation: str,
        region: str,
        status: int | None,
        outcome: str,
        *,
        faulted: bool = False,
        account: str = DEFAULT_ACCOUNT_ID,
        service: str = "sesv2",
    ) -> None:
        key = "dropped" if status is None else str(status)
        with self._lock:
            if service == "sts":
                self._sts_calls[operation] += 1
                self._sts_statuses.setdefault(operation, Counter())[key] += 1
            else:
                calls, throttled = self._accounts.setdefault(account, (Counter(), Counter()))
                for counter in (self._calls, calls):
                    counter[operation] += 1
                if status == 429:
                    for counter in (self._throttled, throttled):
                        counter[operation] += 1
                if faulted:
                    self._faulted[operation] += 1
                self._statuses.setdefault(operation, Counter())[key] += 1
            self._log.append(
                {
                    "service": service,
                    "operation": operation,
                    "region": region,
                    "account": account,
                    "status": status,
                    "outcome": outcome,
                    "time": time.time(),
                }
            )

    def record_outside(self, operation: str, throttled: bool) -> None:
        """One call of the other client (the outside load), refused or not."""
        with self._lock:
            self._outside_calls[operation] += 1
            if throttled:
                self._outside_throttled[operation] += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "total": sum(self._calls.values()),
                "calls": dict(self._calls),
                "throttled": dict(self._throttled),
                "faulted": dict(self._faulted),
                "statuses": {op: dict(c) for op, c in self._statuses.items()},
                "accounts": {
                    account: {"calls": dict(calls), "throttled": dict(throttled)}
                    for account, (calls, throttled) in self._accounts.items()
                },
                "sts": {
                    "calls": dict(self._sts_calls),
                    "statuses": {op: dict(c) for op, c in self._sts_statuses.items()},
                },
                "outside": {
                    "calls": dict(self._outside_calls),
                    "throttled": dict(self._outside_throttled),
                },
                "log": list(self._log),
            }
