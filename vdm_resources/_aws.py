"""The one door to SESv2: cached clients, AWS rate limits shared with other callers, retries.

Every SESv2 call this package makes goes through :func:`call`. AWS's limits (1 call/s for most
SES management calls) are per account, region and operation; all Python dynamic resources of a
program share one provider process, so one :class:`~._pacing.Pacer` per budget key paces all of
them, and adapts to what AWS answers so that separate programs sharing the account converge on a
share each rather than failing (see ``_pacing``).

The retry loop is botocore's own: each client gets two handlers, on ``before-send`` (fires on
every attempt: wait for the pacer's slot, right before the request goes on the wire) and on
``needs-retry`` (classify the answer with botocore's retry checkers, tell the pacer, and decide).
Throttling is a refusal, so it is always safe to retry: it is bounded by time
(``VDM_THROTTLE_BUDGET_SECONDS``), not by a count. Other retryable failures (5xx, dropped
connections) keep a bounded number of attempts (``VDM_MAX_ATTEMPTS``).

Clients are built lazily here, in the process that uses them, and are never reachable from a
provider instance, so nothing about them (or the credentials they hold) is ever pickled into
Pulumi state. Endpoint and credentials come only from boto3's standard chain (environment,
profiles, SSO, roles, ``AWS_ENDPOINT_URL_SESV2``); there is no test-only path.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import botocore.config
import botocore.exceptions
from botocore import xform_name
from botocore.retries import standard as botocore_retries

from . import _credentials
from ._answers import (
    _NETWORK_ERRORS,
    THROTTLE_BUDGET_ENV,
    api_error,
    endpoint_hint,
    endpoint_url,
    not_sent,
)
from ._answers import may_have_applied as may_have_applied
from ._credentials import DEFAULT_TARGET
from ._credentials import AssumeRole as AssumeRole
from ._credentials import AwsTarget as AwsTarget
from ._pacing import Pacer

# Region resolution lives in ``_region``; re-exported so that callers of ``_aws`` keep working.
from ._region import resolve_region as resolve_region
from .errors import VdmApiError, VdmValidationError

#: AWS's documented per-operation rates (calls per second, per account and region). Other SES
#: management calls are documented at 1 call/s too.
OPERATION_RATES: dict[str, float] = {
    "PutAccountVdmAttributes": 1.0,
    "PutConfigurationSetVdmOptions": 1.0,
    "ListRecommendations": 1.0,
    "GetAccount": 1.0,
    "GetConfigurationSet": 1.0,
    "BatchGetMetricData": 16.0,
}
DEFAULT_RATE = 1.0
#: BatchGetMetricData is also limited to 160 queries/s, cumulative over calls. It is not paced
#: separately because it can never bind first: a call carries at most 10 queries, and 10 queries
#: at 160/s take 1/16 s, exactly one call's interval at 16 calls/s.
BATCH_QUERY_RATE = 160.0

RATE_SCALE_ENV = "VDM_RATE_SCALE"
MAX_ATTEMPTS_ENV = "VDM_MAX_ATTEMPTS"
READ_TIMEOUT_ENV = "VDM_READ_TIMEOUT"
CONNECT_TIMEOUT_ENV = "VDM_CONNECT_TIMEOUT"
DEFAULT_MAX_ATTEMPTS = 8
#: Seconds of throttled answers one call accepts before failing: enough for a few hundred calls
#: of other programs on the same 1 call/s budget.
DEFAULT_THROTTLE_BUDGET = 900.0

#: A budget key: what AWS keys a rate limit by. The first member will hold the account id once
#: calls can name an account; ``None`` is "whatever account the default credentials reach".
BudgetKey = tuple[str | None, str, str]

#: botocore's own classification of answers (the same its ``standard`` mode retries on).
_ADAPTER = botocore_retries.RetryEventAdapter()
_THROTTLED = botocore_retries.ThrottledRetryableChecker()
_TRANSIENT = botocore_retries.OrRetryChecker(
    [botocore_retries.TransientRetryableChecker(), botocore_retries.ModeledRetryableChecker()]
)
#: In botocore's list of throttling codes, but SESv2 models it as a quota ("too many
#: configuration sets"), which no amount of waiting fixes.
_NOT_THROTTLING = frozenset({"LimitExceededException"})


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise VdmValidationError(f"{name}: {raw!r} is not a number") from exc


def rate_scale() -> float:
    """Multiplier on AWS's rates; 0 disables pacing (an emulator run with rate limits off).

    It exists so that benchmarks and tests against the emulator can shrink time while keeping
    the ratios meaningful; against AWS it stays 1.
    """
    raw = os.environ.get(RATE_SCALE_ENV, "").strip().lower()
    if raw in ("off", "none"):
        return 0.0
    return _env_float(RATE_SCALE_ENV, 1.0)


@dataclass
class _Registry:
    lock: threading.Lock = field(default_factory=threading.Lock)
    pacers: dict[tuple[BudgetKey, float], Pacer] = field(default_factory=dict)
    clients: dict[tuple[AwsTarget, str], Any] = field(default_factory=dict)


_REGISTRY = _Registry()


def budget_key(region: str, operation: str, account: str | None = None) -> BudgetKey:
    return (account, region, operation)


def pacer(key: BudgetKey) -> Pacer:
    """The process-wide pacer of one budget, at AWS's documented rate times ``VDM_RATE_SCALE``."""
    cap = OPERATION_RATES.get(key[2], DEFAULT_RATE) * rate_scale()
    with _REGISTRY.lock:
        found = _REGISTRY.pacers.get((key, cap))
        if found is None:
            found = _REGISTRY.pacers[(key, cap)] = Pacer(cap)
        return found


def client(region: str, target: AwsTarget | None = None) -> Any:
    """A cached SESv2 client for ``region`` in ``target``'s account (default: boto3's default
    chain), paced and retried by this module's handlers.

    botocore's retry handler stays at one attempt; the handlers registered here decide retries
    for calls made through :func:`call` (and leave a client used directly alone).
    """
    key = (target or DEFAULT_TARGET, region)
    with _REGISTRY.lock:
        found = _REGISTRY.clients.get(key)
    if found is not None:
        return found
    config = botocore.config.Config(
        region_name=region,
        retries={"total_max_attempts": 1},
        connect_timeout=_env_float(CONNECT_TIMEOUT_ENV, 5.0),
        read_timeout=_env_float(READ_TIMEOUT_ENV, 20.0),
        user_agent_extra="vdm-resources",
    )
    made = _credentials.session(key[0], region).client("sesv2", config=config)
    events = made.meta.events
    # First in line, so that botocore's own retry handler (left at one attempt) is consulted
    # only when these say "do not retry".
    events.register_first("before-send.sesv2", _before_send)
    events.register_first("needs-retry.sesv2", cast(Callable[..., None], _needs_retry))
    with _REGISTRY.lock:
        return _REGISTRY.clients.setdefault(key, made)


def reset_clients() -> None:
    """Forget cached clients, pacers and credentials; for tests that change the environment."""
    with _REGISTRY.lock:
        _REGISTRY.clients.clear()
        _REGISTRY.pacers.clear()
    _credentials.reset()


@dataclass
class _InFlight:
    """One :func:`call` in progress on this thread: what its botocore handlers need to know."""

    pacer: Pacer
    sleep: Callable[[float], None]
    budget: float
    max_attempts: int
    started: float = field(default_factory=time.monotonic)
    attempts: int = 0
    throttled: int = 0
    failures: int = 0
    out_of_budget: bool = False

    def elapsed(self) -> float:
        return time.monotonic() - self.started


# botocore runs a call's whole retry loop on the calling thread, and its ``before-send`` event
# carries no per-call context: a thread-local is how the handlers find the call they serve.
_IN_FLIGHT = threading.local()


def _current() -> _InFlight | None:
    found: _InFlight | None = getattr(_IN_FLIGHT, "call", None)
    return found


def _before_send(**kwargs: Any) -> None:
    """Every attempt, right before it goes on the wire: wait for this budget's next slot."""
    state = _current()
    if state is not None:
        state.attempts += 1
        state.pacer.acquire(state.sleep)


def _is_throttling(context: botocore_retries.RetryContext) -> bool:
    code = context.get_error_code()
    if code in _NOT_THROTTLING:
        return False
    if _THROTTLED.is_retryable(context):
        return True
    # A bare 429 (a proxy, or an answer botocore could not parse) is throttling too.
    response = context.http_response
    return response is not None and response.status_code == 429 and not code


def _needs_retry(**kwargs: Any) -> float | None:
    """botocore asks after every attempt: None ends the call, a number retries after that many
    seconds. Waits are slept here (with the call's ``sleep``) and 0 returned, so that tests can
    inject the clock; the pacer's wait happens in :func:`_before_send`."""
    state = _current()
    if state is None:
        return None
    context = _ADAPTER.create_retry_context(**kwargs)
    if _is_throttling(context):
        state.throttled += 1
        state.pacer.on_throttle()
        if state.elapsed() >= state.budget:
            state.out_of_budget = True
            return None
        if not state.pacer.enabled:
            # Unpaced (VDM_RATE_SCALE=off): nothing else spaces the retries.
            state.sleep(_backoff(state.throttled))
        return 0
    if context.http_response is not None:
        # An answer that is not throttling was admitted against the budget, whatever it says.
        state.pacer.on_success()
    if not _TRANSIENT.is_retryable(context):
        return None
    state.failures += 1
    if state.failures >= state.max_attempts:
        return None
    state.sleep(_backoff(state.failures))
    return 0


def _backoff(failures: int) -> float:
    """Equal jitter over an exponentially growing window: 0.1 s, 0.2 s, ... up to 8 s."""
    window = min(8.0, 0.1 * 2 ** (failures - 1))
    return random.uniform(window / 2, window)


def call(
    operation: str,
    region: str,
    params: Mapping[str, Any] | None = None,
    *,
    context: str,
    queries: int = 0,
    sleep: Callable[[float], None] = time.sleep,
    target: AwsTarget | None = None,
) -> dict[str, Any]:
    """Make one SESv2 call at AWS's pace; retry throttling for up to
    ``VDM_THROTTLE_BUDGET_SECONDS``, and 5xx and network errors for up to ``VDM_MAX_ATTEMPTS``
    attempts.

    ``target`` names the account (a profile and/or a role to assume; default boto3's default
    chain). ``context`` names the resource in error messages; request parameters are never
    echoed (they could carry anything a user passed), nor are credentials. ``queries``
    (BatchGetMetricData's query count) is accepted for callers but needs no pacing of its own
    (see :data:`BATCH_QUERY_RATE`).
    """
    del queries
    target = target or DEFAULT_TARGET
    try:
        account = _credentials.account_id(target, region)
    except botocore.exceptions.BotoCoreError as exc:  # a missing profile, say
        raise VdmApiError(
            f"{context}: {operation} in {region} not sent: {exc} ({type(exc).__name__})",
            code=type(exc).__name__,
            operation=operation,
        ) from exc
    where = f"{account}/{region}" if account else region
    state = _InFlight(
        pacer=pacer(budget_key(region, operation, account)),
        sleep=sleep,
        budget=max(0.0, _env_float(THROTTLE_BUDGET_ENV, DEFAULT_THROTTLE_BUDGET)),
        max_attempts=max(1, int(_env_float(MAX_ATTEMPTS_ENV, DEFAULT_MAX_ATTEMPTS))),
    )
    try:
        # One argument for the default account: code that stands in for ``client(region)``
        # (tests, benchmarks) keeps working.
        sesv2 = client(region) if target == DEFAULT_TARGET else client(region, target)
    except botocore.exceptions.BotoCoreError as exc:
        raise not_sent(exc, context, operation, where) from exc
    method = getattr(sesv2, xform_name(operation))
    outer = _current()
    _IN_FLIGHT.call = state
    try:
        result: dict[str, Any] = method(**dict(params or {}))
    except botocore.exceptions.ClientError as exc:
        if exc.operation_name == "AssumeRole":  # refreshing the role's credentials failed
            raise _credentials.sts_error(exc, target, context, operation, where) from exc
        raise api_error(exc, operation, where, context, state, sesv2) from exc
    except _NETWORK_ERRORS as exc:
        if isinstance(exc, botocore.exceptions.EndpointConnectionError):
            last = (
                f"could not connect to endpoint {endpoint_url(sesv2)} "
                f"({type(exc).__name__}; {endpoint_hint()})"
            )
        else:
            last = f"{type(exc).__name__}: {exc}"
        attempt = state.attempts
        raise VdmApiError(
            f"{context}: {operation} in {where} failed after {attempt} attempts: {last}",
            code=type(exc).__name__,
            operation=operation,
        ) from exc
    except botocore.exceptions.BotoCoreError as exc:
        raise not_sent(exc, context, operation, where) from exc
    finally:
        _IN_FLIGHT.call = outer
    result.pop("ResponseMetadata", None)
    return result
