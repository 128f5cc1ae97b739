"""What the emulator answered during a measurement, and the floor AWS's rates put under it.

Calls are counted where AWS would count them, at the server (the emulator's ``/_vdm/requests``
log), not in the client: a retry the provider makes is a call, a 429 is a call that took no
token, and the log cannot be fooled by what the client believes it sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from vdm_resources.emulator.client import ControlClient

SHORT_NAMES = {
    "GetConfigurationSet": "GetCS",
    "PutConfigurationSetVdmOptions": "PutCSVdm",
    "GetAccount": "GetAcct",
    "PutAccountVdmAttributes": "PutAcctVdm",
}


@dataclass
class Window:
    """The request log since the last reset: per operation, every attempt, the answered ones
    (2xx and other non-429 answers), the throttled ones, error answers, and when calls came."""

    calls: dict[str, int]
    answered: dict[str, int]
    throttled: dict[str, int]
    errors: dict[str, int]
    times: list[float]
    #: The emulator's outside client (another client of the account), counted apart:
    #: ``{"calls": {op: n}, "throttled": {op: n}}``.
    outside: dict[str, dict[str, int]]

    @classmethod
    def read(cls, control: ControlClient) -> Window:
        snap = control.requests()
        calls = {op: int(v) for op, v in snap["calls"].items()}
        throttled = {op: int(v) for op, v in snap["throttled"].items() if v}
        answered = {op: v - throttled.get(op, 0) for op, v in calls.items()}
        errors: dict[str, int] = {}
        for op, statuses in snap["statuses"].items():
            bad = sum(
                int(v) for k, v in statuses.items() if not (k.isdigit() and 200 <= int(k) < 300)
            )
            bad -= throttled.get(op, 0)
            if bad:
                errors[op] = bad
        times = sorted(float(e["time"]) for e in snap["log"])
        outside = snap.get("outside", {"calls": {}, "throttled": {}})
        return cls(calls, answered, throttled, errors, times, outside)

    def outside_answered(self, operation: str) -> int:
        """Calls of ``operation`` the outside client got through (its tokens taken)."""
        return self.outside["calls"].get(operation, 0) - self.outside["throttled"].get(operation, 0)

    @property
    def total(self) -> int:
        return sum(self.answered.values())

    @property
    def throttled_total(self) -> int:
        return sum(self.throttled.values())

    def by_prefix(self, prefix: str) -> int:
        return sum(v for op, v in self.answered.items() if op.startswith(prefix))

    def span(self) -> float:
        return self.times[-1] - self.times[0] if self.times else 0.0


def allowed_rates(control: ControlClient) -> dict[str, float]:
    """calls/s the emulator enforces per operation (``"*"``: every other operation), scale
    included: read from the emulator, so the floor is the one the run was held to."""
    rates = control.rate_limits()["rates"]
    return {op: float(entry["calls_per_second"]) for op, entry in rates.items()}


def floor_of(
    answered: Mapping[str, int],
    rates: Mapping[str, float],
    outside: Mapping[str, float] | None = None,
) -> tuple[float, str | None]:
    """Answered calls ÷ rate per operation; the phase's floor is the slowest operation (each
    has its own bucket, so they overlap). 429s are left out: a refused call takes no token, so
    it adds waste to the wall time but nothing to the floor. ``outside`` (calls/s another
    client steadily takes from an operation's bucket) leaves the rest of the budget:
    calls ÷ (rate - outside)."""
    best, which = 0.0, None
    for op, count in answered.items():
        budget = rates.get(op, rates["*"]) - (outside or {}).get(op, 0.0)
        seconds = count / budget if budget > 0 else float("inf")
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


def short(counts: Mapping[str, int]) -> str:
    """``GetCS 200, PutCSVdm 200`` - an operation count for a table cell."""
    if not counts:
        return "none"
    ordered = sorted(counts.items(), key=lambda kv: -kv[1])
    return ", ".join(f"{SHORT_NAMES.get(op, op)} {v}" for op, v in ordered)
