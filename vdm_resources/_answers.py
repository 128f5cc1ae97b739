"""What an answer from SESv2 means, and the one line that says so.

Only AWS's ``NotFoundException`` means "gone": any other 404 comes from something that is not
SESv2 (a proxy, a wrong endpoint variable), and taking it for "gone" would make refresh drop
resources from state and destroy report success. A refusal (throttling, 4xx) was not applied; a
5xx, a dropped connection or a timeout may have been (see :func:`may_have_applied`). Messages
name the endpoint without userinfo, query or fragment, and never echo request parameters.
"""

from __future__ import annotations

import os
import urllib.parse
from typing import Any, Protocol

import botocore.exceptions

from .errors import VdmApiError, VdmNotFoundError, VdmThrottledError

THROTTLE_BUDGET_ENV = "VDM_THROTTLE_BUDGET_SECONDS"

_NETWORK_ERRORS = (
    botocore.exceptions.EndpointConnectionError,
    botocore.exceptions.ConnectionClosedError,
    botocore.exceptions.ReadTimeoutError,
    botocore.exceptions.ConnectTimeoutError,
)
#: Answers after which a write may or may not have been applied (see :func:`may_have_applied`).
_AMBIGUOUS_CODES = frozenset(
    {
        "InternalFailure",
        "InternalServiceErrorException",
        "InternalServerError",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "ConcurrentModificationException",
    }
) | {e.__name__ for e in _NETWORK_ERRORS}


class CallState(Protocol):
    """What the message of a call that ended needs to know about it (``_aws._InFlight``)."""

    budget: float
    max_attempts: int
    attempts: int
    throttled: int
    failures: int
    out_of_budget: bool

    def elapsed(self) -> float: ...


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
    try:
        parts = urllib.parse.urlsplit(str(sesv2.meta.endpoint_url))
    except AttributeError:  # a wrapped client (a benchmark's timer) without ``meta``
        return "(unknown endpoint)"
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


def api_error(
    exc: botocore.exceptions.ClientError,
    operation: str,
    where: str,
    context: str,
    state: CallState,
    sesv2: Any,
) -> VdmApiError:
    """The one line for an answer that ended the call; ``where`` is ``[account/]region``."""
    code, message, status = _error_code(exc)
    answer = f"{_short(message) or 'no message'} ({code or status})"
    if code == "NotFoundException":
        return VdmNotFoundError(
            f"{context}: {message or 'not found'} ({code})", code=code, operation=operation
        )
    if status == 404:
        # Only AWS's NotFoundException means "gone". Any other 404 comes from something that is
        # not SESv2 (a proxy, a wrong endpoint variable): taking it for "gone" would make
        # refresh drop resources from state and destroy report success.
        return VdmApiError(
            f"{context}: {operation} in {where} failed: endpoint "
            f"{endpoint_url(sesv2)} answered HTTP 404 without AWS's "
            f"NotFoundException: {answer}; likely a misrouted endpoint ({endpoint_hint()})",
            code=code,
            operation=operation,
        )
    if state.out_of_budget:
        return VdmThrottledError(
            f"{context}: {operation} in {where} still throttled after "
            f"{state.elapsed():.1f} s and {state.throttled} throttled answers "
            f"({THROTTLE_BUDGET_ENV} is {state.budget:g} s): {answer}",
            code=code,
            operation=operation,
        )
    if state.failures >= state.max_attempts:
        attempt, last = state.attempts, answer
        return VdmApiError(
            f"{context}: {operation} in {where} failed after {attempt} attempts: {last}",
            code=code,
            operation=operation,
        )
    return VdmApiError(
        f"{context}: {operation} in {where} failed: {answer}", code=code, operation=operation
    )


def not_sent(exc: Exception, context: str, operation: str, where: str) -> VdmApiError:
    """Not an answer from AWS and not worth retrying: no credentials, a missing profile, an
    expired SSO token... botocore's message says which, and never holds a secret."""
    return VdmApiError(
        f"{context}: {operation} in {where} not sent: {exc} ({type(exc).__name__})",
        code=type(exc).__name__,
        operation=operation,
    )
