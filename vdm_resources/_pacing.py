"""Pacing SESv2 calls to AWS's per-account rate limits, learning from AWS's answers.

AWS's limits (1 call/s for most SES management calls) are per account, region and operation,
not per program: a second stack, a CI job or a console user draws on the same bucket, and none of
them can see the others. The only shared signal is AWS's answer, so each :class:`Pacer` adapts
to it, the way botocore's ``adaptive`` retry mode and TCP do:

- It never sends faster than AWS's documented rate (``cap``): that rate is the ceiling, not a
  guess to probe above.
- A throttled answer was refused, so it cost AWS no token and the retry may follow quickly. The
  first two in a row are treated as timing noise (our request arrived a few milliseconds before
  the token it was paced for) and retried after a fiftieth, then a sixth, of an interval. A
  third in a row means someone else is spending the budget: the rate drops multiplicatively
  (:attr:`Pacer.BACKOFF`, at most once between two successes, so a process that keeps losing
  does not starve itself) and the pacer switches to wide random gaps.
- The rate recovers additively with time (:attr:`Pacer.RECOVERY` of the cap per interval), the
  same for every process however many calls it wins: with multiplicative decrease, that is what
  makes K processes drift towards 1/K each (AIMD) instead of the fastest taking everything.
- Every gap gets a random extra part ("slack"), exponentially distributed so that the next
  attempt is as likely at any moment: two processes then do not lock into the same phase, and
  one paced exactly on the bucket's refill is less likely to keep every token. The slack
  starts at a fifth of an interval, shrinks with every success that followed no throttle and
  grows with throttles, so a lone run converges to AWS's exact rate (the fixed 5 % margin of
  earlier versions is what this learns instead) and shared runs keep their phases apart.

What it cannot do without a shared signal: a process already running alone at AWS's rate only
learns of a newcomer when the newcomer wins a token from it, so sharing can take a while to set
in, and a neighbour that does not adapt (a script on a fixed schedule that never retries) gets
the tokens it asks for only when it happens to ask first.

Calls claim their slot when they are about to be sent (not in advance), so a slot handed back
by a throttled attempt goes to whichever call sends next, and a change of pace applies at once.
With several calls in flight (a 16 calls/s operation on a slow link), the slot handed back is
the latest one claimed: close enough, since the next throttle corrects it.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PacerState:
    """What a pacer has learned, for tests and diagnostics."""

    rate: float
    slack: float
    throttled_in_a_row: int


class Pacer:
    """One budget (account, region, operation): spaces this process's calls and adapts."""

    #: Multiplicative decrease of the rate when AWS's budget is contended.
    BACKOFF = 0.8
    #: Additive recovery: fraction of the cap regained per interval of elapsed time.
    RECOVERY = 0.05
    #: Retry delays (fractions of an interval) for the first throttled answers in a row, which
    #: are taken as timing noise rather than contention.
    QUICK_RETRIES = (0.02, 0.15)
    #: Random slack (mean, in intervals): at start, floor once contended, and the largest.
    START_SLACK = 0.2
    CONTENDED_SLACK = 0.2
    MAX_SLACK = 2.0
    #: Slack after a success that followed no throttle, and added per throttled answer.
    SLACK_DECAY = 0.8
    SLACK_STEP = 0.01
    #: The rate never drops below this fraction of the cap, so that a paced request is never
    #: held long enough for its signature (made before the wait) to go stale.
    MIN_RATE = 0.02

    def __init__(
        self,
        cap: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.cap = cap
        self.interval = 1.0 / cap if cap > 0 else 0.0
        self._clock = clock
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        self._rate = cap
        self._slack = self.START_SLACK
        self._next = 0.0
        self._last_gap = 0.0
        self._updated: float | None = None
        self._in_a_row = 0
        self._clean = True
        self._won_since_backoff = True

    @property
    def enabled(self) -> bool:
        return self.cap > 0

    def state(self) -> PacerState:
        with self._lock:
            self._recover(self._clock())
            return PacerState(self._rate, self._slack, self._in_a_row)

    def claim(self) -> float:
        """Claim the next slot if it has come (returns 0.0), else how long until it comes."""
        if not self.enabled:
            return 0.0
        with self._lock:
            now = self._clock()
            if now >= self._next:
                self._claim(now)
                return 0.0
            return self._next - now

    def acquire(self, sleep: Callable[[float], None]) -> float:
        """Wait for this process's next slot and claim it; returns the time waited.

        The slot is claimed only once it has come, so a pace that changed while waiting (a
        throttle seen by another thread) applies to this call too.
        """
        waited = 0.0
        for _ in range(1000):  # a sleep that does not let time pass must not spin forever
            wait = self.claim()
            if wait == 0.0:
                return waited
            sleep(wait)
            waited += wait
        with self._lock:
            self._claim(self._clock())
        return waited

    def on_success(self) -> None:
        if not self.enabled:
            return
        with self._lock:
            self._recover(self._clock())
            if self._clean:
                self._slack *= self.SLACK_DECAY
            self._in_a_row = 0
            self._clean = True
            self._won_since_backoff = True

    def on_throttle(self) -> None:
        """AWS refused a call for rate: hand its slot back and decide when to try again."""
        if not self.enabled:
            return
        with self._lock:
            now = self._clock()
            self._recover(now)
            self._in_a_row += 1
            self._clean = False
            refunded = self._next - self._last_gap
            if self._in_a_row <= len(self.QUICK_RETRIES):
                self._slack = min(self.MAX_SLACK, self._slack + self.SLACK_STEP)
                quick = self.QUICK_RETRIES[self._in_a_row - 1] * self._rng.uniform(0.5, 1.5)
                self._set_next(max(now + quick * self.interval, refunded))
                return
            self._slack = min(self.MAX_SLACK, max(self._slack, self.CONTENDED_SLACK))
            if self._won_since_backoff:
                self._rate = max(self.cap * self.MIN_RATE, self._rate * self.BACKOFF)
                self._won_since_backoff = False
            self._set_next(max(now, refunded) + self._gap())

    # -- under the lock

    def _claim(self, now: float) -> None:
        self._last_gap = self._gap()
        self._next = now + self._last_gap

    def _set_next(self, when: float) -> None:
        """Reschedule after a throttle; the refunded slot cannot be refunded twice."""
        self._next = when
        self._last_gap = 0.0

    def _gap(self) -> float:
        gap = 1.0 / self._rate
        if self._slack > 0:
            mean = self._slack * self.interval
            gap += min(4 * mean, self._rng.expovariate(1.0 / mean))
        return gap

    def _recover(self, now: float) -> None:
        if self._updated is not None and now > self._updated:
            regained = self.RECOVERY * self.cap * (now - self._updated) / self.interval
            self._rate = min(self.cap, self._rate + regained)
        self._updated = now
