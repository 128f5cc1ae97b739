"""AWS's documented SES API rate limits as token buckets per (account, region, operation).

AWS keys its limits by account and region, so two accounts (or two regions) never share a
bucket, while every client of one account and region does - including the outside load of
``load``. Each bucket holds one second's worth of tokens, which is what makes a 1 call/s
operation refuse the second call of a burst: callers (the Pulumi provider's limiter and retry
logic) are tested against exactly that behaviour.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from moto.core import DEFAULT_ACCOUNT_ID

#: Calls per second for every SES management operation AWS documents no other rate for.
DEFAULT_CALLS_PER_SECOND = 1.0
#: Operations with their own documented rates: (calls/s, queries/s or None).
OPERATION_RATES: dict[str, tuple[float, float | None]] = {
    "BatchGetMetricData": (16.0, 160.0),
}
#: AWS's message for SES management API throttling.
THROTTLE_MESSAGE = "Rate exceeded"


@dataclass
class TokenBucket:
    """Refills continuously at ``rate`` tokens/s up to ``capacity``; starts full."""

    rate: float
    capacity: float
    tokens: float
    updated: float

    def refill(self, now: float) -> None:
        if now > self.updated:
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def has(self, amount: float) -> bool:
        return self.tokens >= amount

    def take(self, amount: float) -> None:
        self.tokens -= amount


class RateLimiter:
    """Thread-safe limiter; ``scale`` multiplies every rate (2.0 = twice as fast)."""

    def __init__(
        self,
        *,
        enabled: bool = True,
        scale: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if scale <= 0:
            raise ValueError("scale must be > 0")
        self._enabled = enabled
        self._scale = scale
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str, str, str], TokenBucket] = {}

    @property
    def enabled(self) -> bool:
        return self._enabled

    @property
    def scale(self) -> float:
        return self._scale

    def configure(self, *, enabled: bool | None = None, scale: float | None = None) -> None:
        """Change settings; buckets restart full so a test starts from a known point."""
        with self._lock:
            if scale is not None:
                if scale <= 0:
                    raise ValueError("scale must be > 0")
                self._scale = float(scale)
            if enabled is not None:
                self._enabled = bool(enabled)
            self._buckets.clear()

    def describe(self) -> dict[str, object]:
        rates: dict[str, object] = {
            "*": {"calls_per_second": DEFAULT_CALLS_PER_SECOND * self._scale}
        }
        for op, (calls, queries) in OPERATION_RATES.items():
            entry: dict[str, float] = {"calls_per_second": calls * self._scale}
            if queries is not None:
                entry["queries_per_second"] = queries * self._scale
            rates[op] = entry
        return {"enabled": self._enabled, "scale": self._scale, "rates": rates}

    def _bucket(self, kind: str, key: tuple[str, str, str], rate: float, now: float) -> TokenBucket:
        full_key = (kind, *key)
        bucket = self._buckets.get(full_key)
        if bucket is None:
            # At least one call (or one batch of 10 queries) must fit, or a low scale would
            # make the operation impossible rather than slow.
            capacity = max(rate, 1.0 if kind == "calls" else 10.0)
            bucket = TokenBucket(rate=rate, capacity=capacity, tokens=capacity, updated=now)
            self._buckets[full_key] = bucket
        bucket.refill(now)
        return bucket

    def available(
        self, operation: str, region: str, *, account_id: str = DEFAULT_ACCOUNT_ID
    ) -> dict[str, float]:
        """Tokens left per bucket kind (diagnostics and tests); untouched buckets are full."""
        calls_rate, queries_rate = OPERATION_RATES.get(operation, (DEFAULT_CALLS_PER_SECOND, None))
        key = (account_id, region, operation)
        with self._lock:
            now = self._clock()
            out = {"calls": self._bucket("calls", key, calls_rate * self._scale, now).tokens}
            if queries_rate is not None:
                out["queries"] = self._bucket(
                    "queries", key, queries_rate * self._scale, now
                ).tokens
            return out

    def acquire(
        self,
        operation: str,
        region: str,
        queries: int = 0,
        *,
        account_id: str = DEFAULT_ACCOUNT_ID,
    ) -> bool:
        """Take tokens for one call (and its queries); False means answer 429.

        Both buckets must have room before either is charged, so a refused call costs nothing.
        """
        if not self._enabled:
            return True
        calls_rate, queries_rate = OPERATION_RATES.get(operation, (DEFAULT_CALLS_PER_SECOND, None))
        key = (account_id, region, operation)
        with self._lock:
            now = self._clock()
            calls = self._bucket("calls", key, calls_rate * self._scale, now)
            needed = [(calls, 1.0)]
            if queries_rate is not None and queries > 0:
                q_bucket = self._bucket("queries", key, queries_rate * self._scale, now)
                needed.append((q_bucket, float(min(queries, q_bucket.capacity))))
            if not all(bucket.has(amount) for bucket, amount in needed):
                return False
            for bucket, amount in needed:
                bucket.take(amount)
            return True
