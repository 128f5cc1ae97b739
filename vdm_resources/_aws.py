"""The one door to SESv2: cached clients, AWS rate limits and bounded retries.

Every SESv2 call this package makes goes through :func:`call`. That is what lets one ``pulumi up``
with hundreds of resources stay under AWS's published per-operation rates: all Python dynamic
resources of a program share one provider process, so a module-level pacer per (region,
operation) is shared by all of them. Clients are built lazily here, in the process that uses them,
and are never reachable from a provider instance, so nothing about them (or the credentials they
hold) is ever pickled into Pulumi state.

Endpoint and credentials come only from boto3's standard chain (environment, profiles, SSO,
roles, ``AWS_ENDPOINT_URL_SESV2``); there is no test-only path.
"""

from __future__ import annotations

import os
import random
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.config
import botocore.exceptions
from botocore import xform_name

# Region resolution lives in ``_region``; re-exported so that callers of ``_aws`` keep working.
from ._region import resolve_region as resolve_region
from .errors import VdmApiError, VdmNotFoundError, VdmThrottledError, VdmValidationError

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
#: BatchGetMetricData is also limited by queries: 160 per second, cumulative over calls.
BATCH_QUERY_RATE = 160.0

RATE_SCALE_ENV = "VDM_RATE_SCALE"
MAX_ATTEMPTS_ENV = "VDM_MAX_ATTEMPTS"
READ_TIMEOUT_ENV = "VDM_READ_TIMEOUT"
CONNECT_TIMEOUT_ENV = "VDM_CONNECT_TIMEOUT"

_RETRYABLE_CODES = frozenset(
    {
        "TooManyRequestsException",
        "ThrottlingException",
        "Throttling",
        "InternalFailure",
        "InternalServiceErrorException",
        "InternalServerError",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "ConcurrentModificationException",
    }
)
_THROTTLE_CODES = frozenset({"TooManyRequestsException", "ThrottlingException", "Throttling"})
_NETWORK_ERRORS = (
    botocore.exceptions.EndpointConnectionError,
    botocore.exceptions.ConnectionClosedError,
    botocore.exceptions.ReadTimeoutError,
    botocore.exceptions.ConnectTimeoutError,
)
_AMBIGUOUS_CODES = (_RETRYABLE_CODES - _THROTTLE_CODES) | {e.__name__ for e in _NETWORK_ERRORS}


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


class Pacer:
    """Spaces calls so that they never arrive faster than ``rate`` per second.

    A reservation scheme rather than a token bucket with burst: AWS's bucket for these
    operations holds one second's worth, and bursting into it only buys 429s. Reservations are
    handed out under a lock and slept outside it, so concurrent callers queue fairly.
    """

    #: Added to each interval so that network jitter between our clock and AWS's does not turn
    #: an exactly-paced call into a 429.
    MARGIN = 0.05

    def __init__(self, rate: float) -> None:
        self.interval = (1.0 / rate) * (1.0 + self.MARGIN) if rate > 0 else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def reserve(self, units: float = 1.0) -> float:
        """Reserve the next slot; returns how long the caller must sleep before sending."""
        if self.interval == 0.0:
            return 0.0
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval * units
            return start - now

    def back_off(self, seconds: float) -> None:
        """After a throttle, push every later reservation back: the bucket is empty for all."""
        with self._lock:
            self._next = max(self._next, time.monotonic() + seconds)


@dataclass
class _Registry:
    lock: threading.Lock = field(default_factory=threading.Lock)
    pacers: dict[tuple[str, str, float], Pacer] = field(default_factory=dict)
    clients: dict[str, Any] = field(default_factory=dict)
    session: boto3.session.Session | None = None


_REGISTRY = _Registry()


def pacer(region: str, key: str, rate: float) -> Pacer:
    scale = rate_scale()
    effective = rate * scale
    ident = (region, key, effective)
    with _REGISTRY.lock:
        found = _REGISTRY.pacers.get(ident)
        if found is None:
            found = _REGISTRY.pacers[ident] = Pacer(effective)
        return found


def _session() -> boto3.session.Session:
    # boto3 sessions are not thread-safe; one built under the lock and only used to make
    # clients (which are thread-safe) is.
    if _REGISTRY.session is None:
        _REGISTRY.session = boto3.session.Session()
    return _REGISTRY.session


def client(region: str) -> Any:
    """A cached SESv2 client for ``region`` with botocore's own retries off (see :func:`call`)."""
    with _REGISTRY.lock:
        found = _REGISTRY.clients.get(region)
        if found is None:
            config = botocore.config.Config(
                region_name=region,
                retries={"total_max_attempts": 1},
                connect_timeout=_env_float(CONNECT_TIMEOUT_ENV, 5.0),
                read_timeout=_env_float(READ_TIMEOUT_ENV, 20.0),
                user_agent_extra="vdm-resources",
            )
            found = _REGISTRY.clients[region] = _session().client("sesv2", config=config)
        return found


def reset_clients() -> None:
    """Forget cached clients and pacers; for tests that change the environment between runs."""
    with _REGISTRY.lock:
        _REGISTRY.clients.clear()
        _REGISTRY.pacers.clear()
        _REGISTRY.session = None


def may_have_applied(exc: VdmApiError) -> bool:
    """Whether a write that raised ``exc`` may still have reached AWS.

    Throttling and other 4xx answers mean the request was refused. A 5xx answer, a dropped
    connection or a read timeout leave it open: AWS may have applied it, even after the client
    gave up (a timed-out request can land seconds later).
    """
    if isinstance(exc, (VdmThrottledError, VdmNotFoundError)):
        return False
    return not exc.code or exc.code in _AMBIGUOUS_CODES


def _error_code(exc: botocore.exceptions.ClientError) -> tuple[str, str, int]:
    err = exc.response.get("Error", {})
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    return str(err.get("Code", "")), str(err.get("Message", "")), status


def endpoint_url(sesv2: Any) -> str:
    """The endpoint a client sends to, without userinfo, query or fragment (they may hold
    secrets), for error messages."""
    parts = urllib.parse.urlsplit(str(sesv2.meta.endpoint_url))
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def endpoint_hint() -> str:
    """Which endpoint variable is in play: the usual cause when the endpoint is not SESv2."""
    ignored = os.environ.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").strip().lower() == "true"
    suffix = ", ignored: AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true" if ignored else ""
    if os.environ.get("AWS_ENDPOINT_URL_SESV2"):
        return f"AWS_ENDPOINT_URL_SESV2 is set{suffix}"
    if os.environ.get("AWS_ENDPOINT_URL"):
        return f"AWS_ENDPOINT_URL is set (AWS_ENDPOINT_URL_SESV2 is not){suffix}"
    return "neither AWS_ENDPOINT_URL_SESV2 nor AWS_ENDPOINT_URL is set"


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


#: Observers of every attempt (operation, region, outcome); the benchmark counts with it.
CallObserver = Callable[[str, str, str], None]
_observers: list[CallObserver] = []


def observe(callback: CallObserver) -> None:
    _observers.append(callback)


def _notify(operation: str, region: str, outcome: str) -> None:
    for callback in _observers:
        callback(operation, region, outcome)


def call(
    operation: str,
    region: str,
    params: Mapping[str, Any] | None = None,
    *,
    context: str,
    queries: int = 0,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Make one SESv2 call at AWS's pace, retrying throttling, 5xx and network errors.

    Retries are bounded (``VDM_MAX_ATTEMPTS``, default 8) with full jitter, so a throttling
    storm slows a run down but never hangs it. ``context`` names the resource in error messages;
    request parameters are never echoed (they could carry anything a user passed).
    """
    rate = OPERATION_RATES.get(operation, DEFAULT_RATE)
    call_pacer = pacer(region, operation, rate)
    query_pacer = pacer(region, operation + ":queries", BATCH_QUERY_RATE) if queries else None
    max_attempts = max(1, int(_env_float(MAX_ATTEMPTS_ENV, 8)))
    method = getattr(client(region), xform_name(operation))
    last: str = ""
    for attempt in range(1, max_attempts + 1):
        delay = call_pacer.reserve()
        if query_pacer is not None:
            delay = max(delay, query_pacer.reserve(queries))
        if delay > 0:
            sleep(delay)
        try:
            result: dict[str, Any] = method(**dict(params or {}))
        except botocore.exceptions.ClientError as exc:
            code, message, status = _error_code(exc)
            _notify(operation, region, code or str(status))
            retryable = code in _RETRYABLE_CODES or status >= 500 or status == 429
            if code == "NotFoundException":
                raise VdmNotFoundError(
                    f"{context}: {message or 'not found'} ({code or status})",
                    code=code,
                    operation=operation,
                ) from exc
            if status == 404:
                # Only AWS's NotFoundException means "gone". Any other 404 comes from something
                # that is not SESv2 (a proxy, a wrong endpoint variable): taking it for "gone"
                # would make refresh drop resources from state and destroy report success.
                raise VdmApiError(
                    f"{context}: {operation} in {region} failed: endpoint "
                    f"{endpoint_url(client(region))} answered HTTP 404 without AWS's "
                    f"NotFoundException: {_short(message) or 'no message'} ({code or status}); "
                    f"likely a misrouted endpoint ({endpoint_hint()})",
                    code=code,
                    operation=operation,
                ) from exc
            if not retryable:
                raise VdmApiError(
                    f"{context}: {operation} in {region} failed: {message} ({code or status})",
                    code=code,
                    operation=operation,
                ) from exc
            last = f"{message} ({code or status})"
            if code in _THROTTLE_CODES or status == 429:
                call_pacer.back_off(call_pacer.interval)
            if attempt == max_attempts:
                error_cls = (
                    VdmThrottledError if (code in _THROTTLE_CODES or status == 429) else VdmApiError
                )
                raise error_cls(
                    f"{context}: {operation} in {region} failed after {attempt} attempts: {last}",
                    code=code,
                    operation=operation,
                ) from exc
        except _NETWORK_ERRORS as exc:
            _notify(operation, region, type(exc).__name__)
            if isinstance(exc, botocore.exceptions.EndpointConnectionError):
                last = (
                    f"could not connect to endpoint {endpoint_url(client(region))} "
                    f"({type(exc).__name__}; {endpoint_hint()})"
                )
            else:
                last = f"{type(exc).__name__}: {exc}"
            if attempt == max_attempts:
                raise VdmApiError(
                    f"{context}: {operation} in {region} failed after {attempt} attempts: {last}",
                    code=type(exc).__name__,
                    operation=operation,
                ) from exc
        except botocore.exceptions.BotoCoreError as exc:
            # Not an answer from AWS and not worth retrying: no credentials, a missing profile,
            # an expired SSO token... botocore's message says which, and never holds a secret.
            _notify(operation, region, type(exc).__name__)
            raise VdmApiError(
                f"{context}: {operation} in {region} not sent: {exc} ({type(exc).__name__})",
                code=type(exc).__name__,
                operation=operation,
            ) from exc
        else:
            _notify(operation, region, "OK")
            result.pop("ResponseMetadata", None)
            return result
        # Full jitter over an exponentially growing window, floored at one pacing interval.
        window = min(8.0, max(call_pacer.interval, 0.1) * (2 ** (attempt - 1)))
        sleep(random.uniform(window / 2, window))
    raise AssertionError("unreachable")  # pragma: no cover
