"""The emulator's HTTP server and command line: a threaded werkzeug server around the WSGI
application of ``app``, usable in-process (``EmulatorServer(...).start()``) or as
``vdm-emulator serve``.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .app import EmulatorApp
from .exceptions import BadRequestException
from .settings import ACCOUNT_PUT_MODES


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
        "--sts-duration-seconds",
        type=int,
        metavar="N",
        help="cap the lifetime of credentials AssumeRole issues at N seconds (AWS's minimum "
        "DurationSeconds is 900), to test credential refresh",
    )
    serve.add_argument(
        "--sts-deny-role",
        action="append",
        default=[],
        metavar="ROLE_ARN",
        help="AssumeRole of this role answers AccessDenied (repeatable; roles named denied* "
        "always do)",
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
            sts_duration_seconds=args.sts_duration_seconds,
            sts_denied_roles=args.sts_deny_role,
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
