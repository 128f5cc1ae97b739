"""The emulator's HTTP server: a threaded werkzeug WSGI app in front of moto's SESv2.

Every API request passes, in order: operation matching (botocore model via moto's router),
fault injection, rate limiting, model validation, moto dispatch, persistence, and the
request log. The order is what tests rely on: a faulted or throttled call never reaches
the backend, and every call - including rejected ones - is counted exactly once.

Nothing here reads the Authorization header except ``region_from_headers``, which keeps
only the region of the credential scope; keys and signatures are never logged or echoed.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import sys
import threading
import time
import traceback
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import FrameType
from typing import Any

from moto.core.request import Request as MotoRequest
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Response

from .exceptions import (
    BadRequestException,
    EmulatorError,
    ErrorTriple,
    InternalFailure,
    InternalServiceErrorException,
    TooManyRequestsException,
    UnknownOperationException,
    error_response,
)
from .faults import FaultInjector
from .models import (
    ACCOUNT_ID,
    apply_seed,
    export_state,
    import_state,
    read_state_file,
    reset_backends,
    write_state_file,
)
from .ratelimit import OPERATION_RATES, THROTTLE_MESSAGE, RateLimiter
from .responses import VdmSESV2Response, match_operation, region_from_headers

CONTROL_PREFIX = "/_vdm"
UNKNOWN_OPERATION = "UnknownOperation"
#: Operations that only read; everything else may change state and triggers a save.
_READ_PREFIXES = ("Get", "List", "BatchGet")

WSGIEnviron = dict[str, Any]
StartResponse = Callable[..., Any]


class EmulatorRequest(MotoRequest):
    """moto's normalized request, marked as coming from a real WSGI server."""

    from_wsgi_server = True


class RequestLog:
    """Exact per-operation counters plus a bounded list of recent calls.

    Entries hold operation, region, status, outcome and time only - never headers, keys
    or bodies.
    """

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
            self._log: deque[dict[str, Any]] = deque(maxlen=self._max_entries)

    def record(
        self, operation: str, region: str, status: int | None, outcome: str, *, faulted: bool
    ) -> None:
        with self._lock:
            self._calls[operation] += 1
            if status == 429:
                self._throttled[operation] += 1
            if faulted:
                self._faulted[operation] += 1
            key = "dropped" if status is None else str(status)
            self._statuses.setdefault(operation, Counter())[key] += 1
            self._log.append(
                {
                    "operation": operation,
                    "region": region,
                    "status": status,
                    "outcome": outcome,
                    "time": time.time(),
                }
            )

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "total": sum(self._calls.values()),
                "calls": dict(self._calls),
                "throttled": dict(self._throttled),
                "faulted": dict(self._faulted),
                "statuses": {op: dict(c) for op, c in self._statuses.items()},
                "log": list(self._log),
            }


def _json_response(payload: Any, status: int = 200) -> Response:
    return Response(json.dumps(payload), status=status, content_type="application/json")


def _triple_response(triple: ErrorTriple | tuple[int, Mapping[str, Any], Any]) -> Response:
    status, headers, body = triple
    # werkzeug's server writes its own Server and Date; moto's copies would duplicate them.
    clean = {
        str(k): str(v)
        for k, v in headers.items()
        if str(k).lower() not in ("status", "server", "date")
    }
    if not any(k.lower() == "x-amzn-requestid" for k in clean):
        clean["x-amzn-RequestId"] = error_response(200, "", "")[1]["x-amzn-RequestId"]
    clean.setdefault("Content-Type", "application/json")
    return Response(body if body is not None else "", status=int(status), headers=clean)


def _drop_connection(environ: WSGIEnviron) -> None:
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
    ) -> None:
        # Any region a client signs for is served, like AWS would for every real region.
        os.environ.setdefault("MOTO_ALLOW_NONEXISTENT_REGION", "true")
        self.state_file = Path(state_file) if state_file else None
        self.seed_file = Path(seed_file) if seed_file else None
        self.limiter = RateLimiter(enabled=rate_limits, scale=rate_scale)
        self.faults = FaultInjector()
        self.requests = RequestLog()
        self.lock = threading.RLock()
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

    def _initial_state(self) -> None:
        reset_backends()
        if self._seed_doc is not None:
            apply_seed(self._seed_doc)

    def _load(self) -> None:
        with self.lock:
            doc = read_state_file(self.state_file) if self.state_file else None
            if doc is not None:
                import_state(doc)
            else:
                self._initial_state()
            self._persist()

    def _persist(self) -> None:
        if self.state_file is not None:
            write_state_file(self.state_file, export_state())

    # -- WSGI

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        request = EmulatorRequest(environ)
        if request.path == CONTROL_PREFIX or request.path.startswith(CONTROL_PREFIX + "/"):
            response = self._control(request)
        else:
            response = self._api(request, environ)
        return response(environ, start_response)

    def _api(self, request: EmulatorRequest, environ: WSGIEnviron) -> Response:
        region = region_from_headers(request.headers)
        matched = match_operation(request)
        if matched is None:
            self.requests.record(UNKNOWN_OPERATION, region, 404, "unknown", faulted=False)
            return _triple_response(
                UnknownOperationException(
                    f"No SESv2 operation matches {request.method} {request.path}"
                ).triple()
            )
        operation = matched[0]

        fault = self.faults.take(operation)
        if fault is not None:
            if fault.kind == "latency":
                time.sleep(fault.seconds)
            elif fault.kind == "throttle":
                self.requests.record(operation, region, 429, "fault:throttle", faulted=True)
                return _triple_response(TooManyRequestsException(THROTTLE_MESSAGE).triple())
            elif fault.kind == "error":
                error_cls = (
                    InternalServiceErrorException
                    if operation == "BatchGetMetricData"
                    else InternalFailure
                )
                self.requests.record(operation, region, 500, "fault:error", faulted=True)
                return _triple_response(
                    error_cls("An internal error occurred (injected fault)").triple()
                )
            else:
                self.requests.record(operation, region, None, "fault:drop", faulted=True)
                _drop_connection(environ)

        queries = _count_queries(request) if operation in OPERATION_RATES else 0
        if not self.limiter.acquire(operation, region, queries):
            self.requests.record(operation, region, 429, "throttled", faulted=fault is not None)
            return _triple_response(TooManyRequestsException(THROTTLE_MESSAGE).triple())

        with self.lock:
            status, headers, body = self._dispatch(request)
            if status < 300 and not operation.startswith(_READ_PREFIXES):
                try:
                    self._persist()
                except OSError as exc:
                    # The call did happen; say loudly that the state file is now behind.
                    print(f"vdm-emulator: could not write state file: {exc}", file=sys.stderr)
        if fault is not None:
            outcome = "fault:latency"
        else:
            outcome = "ok" if status < 400 else "error"
        self.requests.record(operation, region, status, outcome, faulted=fault is not None)
        return _triple_response((status, headers, body))

    def _dispatch(self, request: EmulatorRequest) -> tuple[int, dict[str, Any], Any]:
        try:
            return VdmSESV2Response().handle(request)
        except EmulatorError as exc:
            return exc.triple()
        except Exception:
            # The traceback names code locations and exception text, never request headers.
            traceback.print_exc(file=sys.stderr)
            return InternalFailure("An internal error occurred").triple()

    # -- control endpoint

    def _control(self, request: EmulatorRequest) -> Response:
        routes: dict[tuple[str, str], Callable[[EmulatorRequest], Any]] = {
            ("GET", "/health"): self._c_health,
            ("GET", "/requests"): lambda r: self.requests.snapshot(),
            ("POST", "/requests/reset"): self._c_reset_requests,
            ("GET", "/faults"): self._c_faults,
            ("POST", "/faults"): self._c_add_fault,
            ("DELETE", "/faults"): self._c_clear_faults,
            ("GET", "/rate-limits"): lambda r: self.limiter.describe(),
            ("POST", "/rate-limits"): self._c_rate_limits,
            ("POST", "/seed"): self._c_seed,
            ("POST", "/reset"): self._c_reset,
            ("GET", "/state"): self._c_state,
        }
        path = request.path[len(CONTROL_PREFIX) :].rstrip("/") or "/"
        handler = routes.get((request.method, path))
        if handler is None:
            known = any(p == path for _, p in routes)
            status = 405 if known else 404
            return _json_response({"error": f"no control route {request.method} {path}"}, status)
        try:
            return _json_response(handler(request))
        except (ValueError, TypeError, BadRequestException) as exc:
            message = exc.message if isinstance(exc, BadRequestException) else str(exc)
            return _json_response({"error": message}, 400)

    @staticmethod
    def _body(request: EmulatorRequest) -> dict[str, Any]:
        raw = request.get_data(cache=True)
        if not raw.strip():
            return {}
        doc = json.loads(raw)
        if not isinstance(doc, dict):
            raise ValueError("control request body must be a JSON object")
        return doc

    def _c_health(self, request: EmulatorRequest) -> dict[str, Any]:
        import moto

        return {
            "status": "ok",
            "account_id": ACCOUNT_ID,
            "moto_version": moto.__version__,
            "state_file": str(self.state_file) if self.state_file else None,
            "rate_limits": self.limiter.describe(),
        }

    def _c_reset_requests(self, request: EmulatorRequest) -> dict[str, Any]:
        self.requests.reset()
        return {"reset": True}

    def _c_faults(self, request: EmulatorRequest) -> dict[str, Any]:
        return {"faults": [f.to_json() for f in self.faults.pending()]}

    def _c_add_fault(self, request: EmulatorRequest) -> dict[str, Any]:
        body = self._body(request)
        fault = self.faults.add(
            operation=str(body.get("operation", "*")),
            kind=str(body.get("kind", "")),
            count=body.get("count", 1),
            seconds=body.get("seconds", 0.0),
        )
        return {"fault": fault.to_json(), **self._c_faults(request)}

    def _c_clear_faults(self, request: EmulatorRequest) -> dict[str, Any]:
        self.faults.clear(request.args.get("operation"))
        return self._c_faults(request)

    def _c_rate_limits(self, request: EmulatorRequest) -> dict[str, Any]:
        body = self._body(request)
        enabled = body.get("enabled")
        scale = body.get("scale")
        if enabled is not None and not isinstance(enabled, bool):
            raise ValueError("enabled must be true or false")
        if scale is not None and (isinstance(scale, bool) or not isinstance(scale, (int, float))):
            raise ValueError("scale must be a number > 0")
        self.limiter.configure(enabled=enabled, scale=scale)
        return self.limiter.describe()

    def _c_seed(self, request: EmulatorRequest) -> dict[str, Any]:
        body = self._body(request)
        with self.lock:
            apply_seed(body)
            self._persist()
            return export_state()

    def _c_reset(self, request: EmulatorRequest) -> dict[str, Any]:
        """Back to the start-up state (the --seed file if given, else empty)."""
        body = self._body(request)
        with self.lock:
            self._initial_state()
            self._persist()
        if body.get("requests"):
            self.requests.reset()
        if body.get("faults"):
            self.faults.clear()
        if isinstance(body.get("rate_limits"), dict):
            limits = body["rate_limits"]
            self.limiter.configure(enabled=limits.get("enabled"), scale=limits.get("scale"))
        return {"reset": True}

    def _c_state(self, request: EmulatorRequest) -> dict[str, Any]:
        with self.lock:
            return export_state()


class _QuietHandler(WSGIRequestHandler):
    """werkzeug's handler without per-request access lines unless asked for."""

    verbose = False

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if self.verbose:
            super().log_request(code, size)


class EmulatorServer:
    """A threaded HTTP server around an ``EmulatorApp``, usable in-process or from the CLI."""

    def __init__(
        self, app: EmulatorApp, host: str = "127.0.0.1", port: int = 0, *, verbose: bool = False
    ) -> None:
        handler = type("_Handler", (_QuietHandler,), {"verbose": verbose})
        self.app = app
        self.host = host
        self.httpd: BaseWSGIServer = make_server(
            host, port, app, threaded=True, request_handler=handler
        )
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.httpd.server_port)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def start(self) -> EmulatorServer:
        """Serve from a daemon thread (in-process use)."""
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self.httpd.server_close()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vdm-emulator",
        description="Local Amazon SESv2 endpoint (VDM operations on top of moto) for tests.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="run the HTTP endpoint",
        description=(
            "Serve SESv2 on http://HOST:PORT. Point boto3 at it with "
            "AWS_ENDPOINT_URL_SESV2=http://HOST:PORT. Control endpoint: /_vdm/..."
        ),
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument(
        "--port", type=int, default=4566, help="port to bind; 0 picks a free one (default 4566)"
    )
    serve.add_argument("--state", metavar="FILE", help="JSON state file, loaded and kept current")
    serve.add_argument(
        "--seed",
        metavar="FILE",
        help="JSON seed applied when the state file is missing or empty, and by /_vdm/reset",
    )
    serve.add_argument(
        "--rate-scale",
        type=float,
        default=1.0,
        metavar="X",
        help="multiply every AWS rate limit by X (default 1.0)",
    )
    serve.add_argument(
        "--no-rate-limit", action="store_true", help="disable rate limiting entirely"
    )
    serve.add_argument(
        "--verbose", action="store_true", help="print one access line per request to stderr"
    )
    return parser


def _raise_keyboard_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command != "serve":
        parser.print_help(sys.stderr)
        return 2
    if args.rate_scale <= 0:
        parser.error("--rate-scale must be > 0")
    try:
        app = EmulatorApp(
            state_file=args.state,
            seed_file=args.seed,
            rate_scale=args.rate_scale,
            rate_limits=not args.no_rate_limit,
        )
        server = EmulatorServer(app, args.host, args.port, verbose=args.verbose)
    except BadRequestException as exc:
        print(f"vdm-emulator: invalid seed or state: {exc.message}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:
        print(f"vdm-emulator: {exc}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    print(f"vdm-emulator listening on {server.url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
