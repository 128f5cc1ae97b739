"""The emulator's HTTP server: a threaded werkzeug WSGI app in front of moto's SESv2.

Every API request passes, in order: operation matching (botocore model via moto's router),
fault injection, rate limiting, model validation, moto dispatch, persistence, and the
request log. The order is what tests rely on: a faulted or throttled call never reaches
the backend, and every call - including rejected ones - is counted exactly once.
Paths under ``/_vdm`` go to the control endpoint (``control``) instead.

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
import uuid
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

from moto.core.request import Request as MotoRequest
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Response

from .control import CONTROL_PREFIX, ControlAPI
from .exceptions import (
    BadRequestException,
    EmulatorError,
    InternalFailure,
    InternalServiceErrorException,
    TooManyRequestsException,
    UnknownOperationException,
    render,
)
from .faults import Fault, FaultInjector
from .load import OutsideLoad
from .models import reset_backends
from .ratelimit import OPERATION_RATES, THROTTLE_MESSAGE, RateLimiter
from .requestlog import RequestLog
from .responses import VdmSESV2Response, match_operation, region_from_headers
from .settings import ACCOUNT_PUT_MODES, AccountPut, Settings
from .state import apply_seed, export_state, import_state, read_state_file, write_state_file

UNKNOWN_OPERATION = "UnknownOperation"
#: Operations that only read; everything else may change state and triggers a save.
_READ_PREFIXES = ("Get", "List", "BatchGet")

WSGIEnviron = dict[str, Any]
StartResponse = Callable[..., Any]
Triple = tuple[int, Mapping[str, Any], Any]


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
        self.startup_settings = Settings(account_put=account_put)
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
        matched = match_operation(request)
        if matched is None:
            self.requests.record(UNKNOWN_OPERATION, region, 404, "unknown", faulted=False)
            return render(
                UnknownOperationException(
                    f"No SESv2 operation matches {request.method} {request.path}"
                )
            )
        operation = matched[0]

        fault = self.faults.take(operation)
        if fault is not None and fault.kind != "latency":
            return self._serve_fault(fault, operation, region, environ)
        if fault is not None:
            time.sleep(fault.seconds)

        queries = _count_queries(request) if operation in OPERATION_RATES else 0
        if not self.limiter.acquire(operation, region, queries):
            self.requests.record(operation, region, 429, "throttled", faulted=fault is not None)
            return render(TooManyRequestsException(THROTTLE_MESSAGE))

        with self.lock:
            status, headers, body = self._dispatch(request)
            if status < 300 and not operation.startswith(_READ_PREFIXES):
                try:
                    self.persist()
                except OSError as exc:
                    # The call did happen; say loudly that the state file is now behind.
                    print(f"vdm-emulator: could not write state file: {exc}", file=sys.stderr)
        if fault is not None:
            outcome = "fault:latency"
        else:
            outcome = "ok" if status < 400 else "error"
        self.requests.record(operation, region, status, outcome, faulted=fault is not None)
        return status, headers, body

    def _serve_fault(
        self, fault: Fault, operation: str, region: str, environ: WSGIEnviron
    ) -> Triple:
        """Answer a throttle, error or drop fault; the call never reaches the backend."""
        if fault.kind == "throttle":
            self.requests.record(operation, region, 429, "fault:throttle", faulted=True)
            return render(TooManyRequestsException(THROTTLE_MESSAGE))
        if fault.kind == "error":
            error_cls = (
                InternalServiceErrorException
                if operation == "BatchGetMetricData"
                else InternalFailure
            )
            self.requests.record(operation, region, 500, "fault:error", faulted=True)
            return render(error_cls("An internal error occurred (injected fault)"))
        self.requests.record(operation, region, None, "fault:drop", faulted=True)
        _drop_connection(environ)

    def _dispatch(self, request: EmulatorRequest) -> tuple[int, dict[str, Any], Any]:
        try:
            return VdmSESV2Response(self.settings).handle(request)
        except EmulatorError as exc:
            return render(exc)
        except Exception:
            # The traceback names code locations and exception text, never request headers.
            traceback.print_exc(file=sys.stderr)
            return render(InternalFailure("An internal error occurred"))


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
        "--account-put",
        choices=ACCOUNT_PUT_MODES,
        default="merge",
        help="whether PutAccountVdmAttributes keeps (merge) or resets to DISABLED (replace) a "
        "nested block it omits; AWS documents neither (default merge)",
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
            account_put=args.account_put,
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
