"""The emulator's WSGI application: one request's way through the emulator.

Every API request passes, in order: operation matching (STS's query protocol, or SESv2 through
botocore's model via moto's router), fault injection, the credentials check (expired or unknown
temporary credentials), rate limiting, model validation, moto dispatch, persistence, and the
request log. The order is what tests rely on: a faulted or throttled call never reaches the
backend, and every call - including rejected ones - is counted exactly once. Paths under
``/_vdm`` go to the control endpoint (``control``) instead.

Of the Authorization header only the access key id and the credential scope's region are read
(``signing``); secrets, signatures and session tokens are never logged or echoed.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from moto.core.request import Request as MotoRequest
from werkzeug.wrappers import Response

from .control import CONTROL_PREFIX, ControlAPI
from .exceptions import (
    EmulatorError,
    InternalFailure,
    InternalServiceErrorException,
    TooManyRequestsException,
    UnknownOperationException,
    render,
    render_query_error,
)
from .faults import Fault, FaultInjector
from .load import OutsideLoad
from .models import reset_backends
from .ratelimit import OPERATION_RATES, THROTTLE_MESSAGE, RateLimiter
from .requestlog import RequestLog
from .responses import VdmSESV2Response, match_operation
from .settings import AccountPut, Settings
from .signing import account_of, region_from_headers
from .state import apply_seed, export_state, import_state, read_state_file, write_state_file
from .sts import (
    API_VERSION,
    STS_OPERATIONS,
    EmulatorTokenResponse,
    IssuedCredentials,
    refusal,
    sts_action,
)

UNKNOWN_OPERATION = "UnknownOperation"
#: Operations that only read; everything else may change state and triggers a save.
_READ_PREFIXES = ("Get", "List", "BatchGet")

WSGIEnviron = dict[str, Any]
StartResponse = Callable[..., Any]
Triple = tuple[int, Mapping[str, Any], Any]


@dataclass(frozen=True)
class _Call:
    """What a request is, as the log and the rate limiter see it."""

    operation: str
    region: str
    account: str
    service: str


class EmulatorRequest(MotoRequest):
    """moto's normalized request, marked as coming from a real WSGI server."""

    from_wsgi_server = True


def _to_response(triple: Triple) -> Response:
    status, headers, body = triple
    # werkzeug's server writes its own Server and Date; moto's copies would duplicate them.
    clean = {
        str(k): str(v)
        for k, v in headers.items()
        if str(k).lower() not in ("status", "server", "date")
    }
    if not any(k.lower() == "x-amzn-requestid" for k in clean):
        clean["x-amzn-RequestId"] = str(uuid.uuid4())
    clean.setdefault("Content-Type", "application/json")
    return Response(body if body is not None else "", status=int(status), headers=clean)


def _drop_connection(environ: WSGIEnviron) -> NoReturn:
    """Close the socket without any HTTP response, as a network failure would.

    werkzeug's server treats a ``ConnectionError`` from the app as a dropped client and
    writes nothing, so the client sees the connection end with no status line.
    """
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    raise ConnectionAbortedError("connection dropped by an injected fault")


def _count_queries(request: EmulatorRequest) -> int:
    try:
        body = json.loads(request.get_data(cache=True) or b"{}")
    except ValueError:
        return 0
    queries = body.get("Queries") if isinstance(body, dict) else None
    return len(queries) if isinstance(queries, list) else 0


class EmulatorApp:
    """The WSGI application; one per process (moto's backends are process-global)."""

    def __init__(
        self,
        *,
        state_file: str | os.PathLike[str] | None = None,
        seed_file: str | os.PathLike[str] | None = None,
        rate_scale: float = 1.0,
        rate_limits: bool = True,
        account_put: AccountPut = "merge",
        sts_duration_seconds: int | None = None,
        sts_denied_roles: Sequence[str] = (),
    ) -> None:
        # Any region a client signs for is served, like AWS would for every real region.
        os.environ.setdefault("MOTO_ALLOW_NONEXISTENT_REGION", "true")
        self.state_file = Path(state_file) if state_file else None
        self.seed_file = Path(seed_file) if seed_file else None
        self.limiter = RateLimiter(enabled=rate_limits, scale=rate_scale)
        self.faults = FaultInjector()
        self.requests = RequestLog()
        self.outside_load = OutsideLoad(self.limiter, self.requests.record_outside)
        #: What /_vdm/reset goes back to; ``settings`` is what requests see now.
        self.startup_settings = Settings(
            account_put=account_put,
            sts_duration_seconds=sts_duration_seconds,
            sts_denied_roles=tuple(sts_denied_roles),
        )
        self.issued = IssuedCredentials()
        self.settings = self.startup_settings
        self.lock = threading.RLock()
        self.control = ControlAPI(self)
        self._seed_doc = self._read_seed()
        self._load()
        self._warm_up()

    @staticmethod
    def _warm_up() -> None:
        """Load the model, router and moto's lazily imported IAM bits before serving, so the
        first request is not slow and no two threads race to build the shared caches."""
        import moto.iam.models  # noqa: F401  (moto imports it on every request's setup)

        from .._model import service_model
        from .responses import operation_router

        operation_router()
        service_model()

    # -- state

    def _read_seed(self) -> dict[str, Any] | None:
        if self.seed_file is None:
            return None
        doc = json.loads(self.seed_file.read_text("utf-8"))
        if not isinstance(doc, dict):
            raise ValueError(f"{self.seed_file}: a seed must be a JSON object")
        return doc

    def initial_state(self) -> None:
        """The start-up state: the seed file's if one was given, else empty."""
        reset_backends()
        if self._seed_doc is not None:
            apply_seed(self._seed_doc)

    def _load(self) -> None:
        with self.lock:
            doc = read_state_file(self.state_file) if self.state_file else None
            if doc is not None:
                import_state(doc)
            else:
                self.initial_state()
            self.persist()

    def persist(self) -> None:
        if self.state_file is not None:
            write_state_file(self.state_file, export_state())

    # -- WSGI

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        request = EmulatorRequest(environ)
        if request.path == CONTROL_PREFIX or request.path.startswith(CONTROL_PREFIX + "/"):
            response = self.control(request)
        else:
            response = _to_response(self._api(request, environ))
        return response(environ, start_response)

    def _api(self, request: EmulatorRequest, environ: WSGIEnviron) -> Triple:
        region = region_from_headers(request.headers)
        account = account_of(request.headers)
        action = sts_action(request)
        if action is not None:
            return self._sts(request, _Call(action, region, account, "sts"))
        matched = match_operation(request)
        if matched is None:
            self.requests.record(UNKNOWN_OPERATION, region, 404, "unknown", account=account)
            return render(
                UnknownOperationException(
                    f"No SESv2 operation matches {request.method} {request.path}"
                )
            )
        call = _Call(matched[0], region, account, "sesv2")

        fault = self.faults.take(call.operation)
        if fault is not None and fault.kind != "latency":
            return self._serve_fault(fault, call, environ)
        if fault is not None:
            time.sleep(fault.seconds)

        problem = self.issued.problem(request.headers)
        if problem is not None:
            self._record(call, 403, problem, faulted=fault is not None)
            return refusal(problem, call.service)

        queries = _count_queries(request) if call.operation in OPERATION_RATES else 0
        if not self.limiter.acquire(call.operation, region, queries, account_id=account):
            self._record(call, 429, "throttled", faulted=fault is not None)
            return render(TooManyRequestsException(THROTTLE_MESSAGE))

        status, headers, body = self._dispatch(request, call)
        if fault is not None:
            outcome = "fault:latency"
        else:
            outcome = "ok" if status < 400 else "error"
        self._record(call, status, outcome, faulted=fault is not None)
        return status, headers, body

    def _sts(self, request: EmulatorRequest, call: _Call) -> Triple:
        """STS's two operations (query protocol), answered by moto with the emulator's rules;
        no faults or rate limits apply to them."""
        if call.operation not in STS_OPERATIONS:
            self._record(call, 400, "unknown")
            message = f"Could not find operation {call.operation} for version {API_VERSION}"
            return render_query_error(400, "InvalidAction", message)
        problem = self.issued.problem(request.headers)
        if problem is not None:
            self._record(call, 403, problem)
            return refusal(problem, call.service)
        status, headers, body = self._dispatch(request, call)
        self._record(call, status, "ok" if status < 400 else "error")
        return status, headers, body

    def _record(
        self, call: _Call, status: int | None, outcome: str, *, faulted: bool = False
    ) -> None:
        self.requests.record(
            call.operation,
            call.region,
            status,
            outcome,
            faulted=faulted,
            account=call.account,
            service=call.service,
        )

    def _serve_fault(self, fault: Fault, call: _Call, environ: WSGIEnviron) -> Triple:
        """Answer a throttle, error or drop fault; the call never reaches the backend."""
        if fault.kind == "throttle":
            self._record(call, 429, "fault:throttle", faulted=True)
            return render(TooManyRequestsException(THROTTLE_MESSAGE))
        if fault.kind == "error":
            error_cls = (
                InternalServiceErrorException
                if call.operation == "BatchGetMetricData"
                else InternalFailure
            )
            self._record(call, 500, "fault:error", faulted=True)
            return render(error_cls("An internal error occurred (injected fault)"))
        self._record(call, None, "fault:drop", faulted=True)
        _drop_connection(environ)

    def _dispatch(self, request: EmulatorRequest, call: _Call) -> Triple:
        """Run the operation under the state lock; a change is saved before it is answered."""
        with self.lock:
            try:
                if call.service == "sts":  # nothing of STS is persisted
                    return EmulatorTokenResponse(self.settings, self.issued)._dispatch(request)
                status, headers, body = VdmSESV2Response(self.settings).handle(request)
            except EmulatorError as exc:
                return render(exc)
            except Exception:
                # The traceback names code locations and exception text, never request headers.
                traceback.print_exc(file=sys.stderr)
                if call.service == "sts":
                    return render_query_error(500, "InternalFailure", "An internal error occurred")
                return render(InternalFailure("An internal error occurred"))
            if status < 300 and not call.operation.startswith(_READ_PREFIXES):
                try:
                    self.persist()
                except OSError as exc:
                    # The call did happen; say loudly that the state file is now behind.
                    print(f"vdm-emulator: could not write state file: {exc}", file=sys.stderr)
            return status, headers, body
