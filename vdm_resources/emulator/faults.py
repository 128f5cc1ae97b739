"""Queued fault injection, so tests can make the next N calls of an operation misbehave.

Faults are consumed per call in FIFO order, faults for the named operation before ``*``
ones; counting down (rather than a probability) keeps every test deterministic.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Literal, cast

FaultKind = Literal["throttle", "error", "drop", "latency"]
FAULT_KINDS: tuple[FaultKind, ...] = ("throttle", "error", "drop", "latency")
ANY_OPERATION = "*"


@dataclass
class Fault:
    operation: str
    kind: FaultKind
    remaining: int
    seconds: float = 0.0

    def to_json(self) -> dict[str, object]:
        return asdict(self)


class FaultInjector:
    """Thread-safe queue of pending faults."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, operation: str, kind: str, count: int = 1, seconds: float = 0.0) -> Fault:
        if kind not in FAULT_KINDS:
            raise ValueError(f"kind must be one of {', '.join(FAULT_KINDS)}, not {kind!r}")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ValueError("count must be an integer >= 1")
        if not operation or not isinstance(operation, str):
            raise ValueError("operation must be an operation name or '*'")
        if kind == "latency" and not (isinstance(seconds, (int, float)) and seconds >= 0):
            raise ValueError("latency faults need seconds >= 0")
        fault = Fault(operation, cast(FaultKind, kind), count, float(seconds))
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self, operation: str | None = None) -> None:
        with self._lock:
            self._faults = [
                f for f in self._faults if operation is not None and f.operation != operation
            ]

    def pending(self) -> list[Fault]:
        with self._lock:
            return [Fault(f.operation, f.kind, f.remaining, f.seconds) for f in self._faults]

    def take(self, operation: str) -> Fault | None:
        """Consume one use of the first fault matching ``operation``; None if none applies."""
        with self._lock:
            for wanted in (operation, ANY_OPERATION):
                for fault in self._faults:
                    if fault.operation == wanted:
                        fault.remaining -= 1
                        if fault.remaining <= 0:
                            self._faults.remove(fault)
                        return Fault(fault.operation, fault.kind, 1, fault.seconds)
            return None
