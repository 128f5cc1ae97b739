"""The adaptive pacer, on an injected clock: no sleeping, no network, no timed assertions.

What it must do (see ``vdm_resources/_pacing.py``): never send faster than AWS's documented
rate; take the first throttled answers in a row as timing noise and retry them quickly without
slowing down; on contention, slow down multiplicatively (once between two successes) and
recover additively with time; and let processes that share one AWS bucket each get a share.
"""

from __future__ import annotations

import heapq
import itertools
import random
from dataclasses import dataclass, field

import pytest

from vdm_resources import _aws
from vdm_resources._pacing import Pacer


class Clock:
    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class Mean(random.Random):
    """Every draw at its distribution's middle: gaps become exact numbers."""

    def uniform(self, a: float, b: float) -> float:
        return (a + b) / 2

    def expovariate(self, lambd: float) -> float:
        return 1.0 / lambd


def claims(pacer: Pacer, clock: Clock, outcomes: str) -> list[float]:
    """Send one call per outcome ('s' success, 't' throttled), one at a time; claim times."""
    times = []
    for outcome in outcomes:
        pacer.acquire(clock.sleep)
        times.append(clock.now)
        clock.now += 0.01  # the answer's round trip
        if outcome == "s":
            pacer.on_success()
        else:
            pacer.on_throttle()
    return times


def gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(times)]


def test_a_lone_caller_converges_to_the_documented_rate() -> None:
    clock = Clock()
    pacer = Pacer(2.0, clock=clock, rng=Mean())  # 2 calls/s
    spaced = gaps(claims(pacer, clock, "s" * 40))
    # Never faster than AWS's rate; the random slack it starts with (to keep separate programs
    # out of step) shrinks with every clean success, so a lone run ends up at the rate itself.
    assert min(spaced) >= 0.5
    assert spaced[0] == pytest.approx(0.5 + 0.5 * Pacer.START_SLACK)
    assert spaced[-1] == pytest.approx(0.5, abs=1e-3)
    assert sum(spaced) - 0.5 * len(spaced) < 0.5 * Pacer.START_SLACK / (1 - Pacer.SLACK_DECAY)
    assert pacer.state().rate == 2.0


def test_first_throttles_are_timing_noise_retried_quickly() -> None:
    clock = Clock()
    pacer = Pacer(1.0, clock=clock, rng=Mean())
    claims(pacer, clock, "s" * 30)  # settled at the rate
    times = claims(pacer, clock, "tts")
    # The refused attempt took no token: the retry follows a fiftieth, then a sixth, of an
    # interval after the answer, and the rate is untouched.
    assert gaps(times) == pytest.approx(
        [0.01 + Pacer.QUICK_RETRIES[0], 0.01 + Pacer.QUICK_RETRIES[1]], abs=1e-6
    )
    state = pacer.state()
    assert state.rate == 1.0 and state.throttled_in_a_row == 0
    # ... but the learned slack grew, so the next gaps leave a little more room.
    assert state.slack > 0.0


def test_contention_slows_down_multiplicatively_once_between_successes() -> None:
    clock = Clock()
    pacer = Pacer(1.0, clock=clock, rng=Mean())
    claims(pacer, clock, "s" * 30)
    rates = []
    for _ in range(6):  # a loser keeps being refused: it slows once, not into starvation
        claims(pacer, clock, "t")
        rates.append(pacer.state().rate)
    quick = len(Pacer.QUICK_RETRIES)
    assert rates[:quick] == [1.0] * quick
    backed = rates[quick]
    assert backed == pytest.approx(Pacer.BACKOFF, abs=0.02)  # plus a little recovery
    # Refused again and again, it does not slow down further (and recovers with time), so a
    # program that keeps losing keeps asking: it is not starved into giving up its share.
    assert rates[quick:] == sorted(rates[quick:])
    assert pacer.state().slack >= Pacer.CONTENDED_SLACK
    # A success, then contention again: a second multiplicative step.
    before = pacer.state().rate
    claims(pacer, clock, "s" + "t" * (quick + 1))
    assert pacer.state().rate == pytest.approx(before * Pacer.BACKOFF, abs=0.1)
    assert pacer.state().rate < before


def test_rate_recovers_additively_with_time_up_to_the_cap() -> None:
    clock = Clock()
    pacer = Pacer(1.0, clock=clock, rng=Mean())
    claims(pacer, clock, "s" + "t" * (len(Pacer.QUICK_RETRIES) + 1))
    low = pacer.state().rate
    clock.now += 2.0  # two intervals
    assert pacer.state().rate == pytest.approx(low + 2 * Pacer.RECOVERY)
    clock.now += 1000.0
    assert pacer.state().rate == 1.0  # never above AWS's rate


def test_successful_calls_never_exceed_the_rate() -> None:
    """Over random answers, two admitted calls are always at least one interval apart: a
    throttled attempt's slot is handed back, never an admitted one's."""
    rng = random.Random(7)
    for seed in range(20):
        clock = Clock()
        pacer = Pacer(4.0, clock=clock, rng=random.Random(seed))
        outcomes = "".join(rng.choice("sssst") for _ in range(200))
        times = claims(pacer, clock, outcomes)
        admitted = [t for t, o in zip(times, outcomes, strict=True) if o == "s"]
        assert min(gaps(admitted)) >= 0.25 - 1e-9


def test_disabled_pacer_never_waits() -> None:
    clock = Clock()
    pacer = Pacer(0.0, clock=clock)
    assert [pacer.acquire(clock.sleep) for _ in range(3)] == [0.0, 0.0, 0.0]
    pacer.on_throttle()
    assert pacer.acquire(clock.sleep) == 0.0


def test_rate_scale_zero_disables_pacing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(_aws.RATE_SCALE_ENV, "off")
    _aws.reset_clients()
    assert not _aws.pacer(_aws.budget_key("us-east-1", "PutAccountVdmAttributes")).enabled


def test_pacers_are_keyed_by_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """AWS keys its limits by account, region and operation: so do the pacers."""
    monkeypatch.delenv(_aws.RATE_SCALE_ENV, raising=False)
    _aws.reset_clients()
    put = _aws.budget_key("us-east-1", "PutConfigurationSetVdmOptions")
    assert _aws.pacer(put) is _aws.pacer(put)
    others = [
        _aws.budget_key("us-east-1", "GetConfigurationSet"),
        _aws.budget_key("eu-west-1", "PutConfigurationSetVdmOptions"),
        _aws.budget_key("us-east-1", "PutConfigurationSetVdmOptions", account="111111111111"),
    ]
    assert all(_aws.pacer(k) is not _aws.pacer(put) for k in others)
    assert _aws.pacer(_aws.budget_key("us-east-1", "BatchGetMetricData")).cap == 16.0
    _aws.reset_clients()


# ------------------------------------------------------------------ processes sharing a bucket


@dataclass
class Bucket:
    """AWS's side, as the emulator models it: one token a second, holding at most one."""

    tokens: float = 1.0
    updated: float = 0.0

    def take(self, now: float) -> bool:
        self.tokens = min(1.0, self.tokens + (now - self.updated))
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


@dataclass(order=True)
class Event:
    time: float
    seq: int
    who: int = field(compare=False)
    kind: str = field(compare=False)


def share_one_bucket(programs: int, calls: int, seed: int) -> tuple[list[float], int]:
    """``programs`` separate processes (one pacer each, virtual time, 5 ms +- jitter round
    trips) each make ``calls`` calls against one bucket; returns finish times and 429s."""
    rng = random.Random(seed)
    clock = Clock(0.0)
    bucket = Bucket()
    pacers = [Pacer(1.0, clock=clock, rng=random.Random(seed * 100 + i)) for i in range(programs)]
    left = [calls] * programs
    finished = [0.0] * programs
    queue: list[Event] = []
    seq = 0
    for who in range(programs):
        heapq.heappush(queue, Event(rng.uniform(0, 2), seq := seq + 1, who, "try"))
    throttled = 0
    while queue:
        event = heapq.heappop(queue)
        clock.now = event.time
        pacer = pacers[event.who]
        if event.kind == "try":
            # The pacer's wait, done by hand on the shared virtual clock.
            waited = pacer.claim()
            if waited:
                heapq.heappush(queue, Event(clock.now + waited, seq := seq + 1, event.who, "try"))
                continue
            latency = 0.002 + abs(rng.gauss(0, 0.003))
            kind = "ok" if bucket.take(clock.now + latency) else "429"
            heapq.heappush(queue, Event(clock.now + 2 * latency, seq := seq + 1, event.who, kind))
        elif event.kind == "ok":
            pacer.on_success()
            left[event.who] -= 1
            if left[event.who]:
                heapq.heappush(queue, Event(clock.now, seq := seq + 1, event.who, "try"))
            else:
                finished[event.who] = clock.now
        else:
            throttled += 1
            pacer.on_throttle()
            heapq.heappush(queue, Event(clock.now, seq := seq + 1, event.who, "try"))
    return finished, throttled


def test_three_programs_share_one_budget() -> None:
    runs = [share_one_bucket(programs=3, calls=20, seed=seed) for seed in range(10)]
    for finished, throttled in runs:
        assert all(finished), finished  # nobody starves: every program completes
        assert throttled > 0  # they did contend
        # Together they keep AWS's bucket busy: 60 calls at 1/s cannot take less than 60 s.
        assert max(finished) <= 60 * 1.3, finished
    # And they share it. Without a shared signal a program that happens to be paced exactly on
    # the bucket's refill can run ahead for a while (it then finishes in about 20 s, a third of
    # the last); the random slack makes that the exception, not the rule.
    shared = [min(f) / max(f) >= 0.4 for f, _ in runs]
    assert sum(shared) >= 6, [[round(t) for t in f] for f, _ in runs]
