"""The ``/_vdm`` control endpoint: what tests and benchmarks use to steer the emulator.

Plain JSON over HTTP (``client.ControlClient`` speaks it), never counted in the request log.
Errors are ``{"error": "..."}`` with 400 (bad input), 404 (no such route) or 405 (wrong method).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from .exceptions import BadRequestException
from .load import parse_load
from .models import ACCOUNT_ID
from .signing import validate_account_id
from .state import accounts_with_state, apply_seed, export_state

if TYPE_CHECKING:
    from .app import EmulatorApp

CONTROL_PREFIX = "/_vdm"


def json_response(payload: Any, status: int = 200) -> Response:
    return Response(json.dumps(payload), status=status, content_type="application/json")


def _body(request: Request) -> dict[str, Any]:
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    doc = json.loads(raw)
    if not isinstance(doc, dict):
        raise ValueError("control request body must be a JSON object")
    return doc


def _account_arg(request: Request) -> str | None:
    value = request.args.get("account_id")
    return None if value is None else validate_account_id(value)


class ControlAPI:
    """Routes ``(method, path below /_vdm)`` to handlers that return JSON-ready values."""

    def __init__(self, app: EmulatorApp) -> None:
        self.app = app
        self.routes: dict[tuple[str, str], Callable[[Request], Any]] = {
            ("GET", "/health"): self.health,
            ("GET", "/requests"): lambda r: app.requests.snapshot(),
            ("POST", "/requests/reset"): self.reset_requests,
            ("GET", "/faults"): self.faults,
            ("POST", "/faults"): self.add_fault,
            ("DELETE", "/faults"): self.clear_faults,
            ("GET", "/rate-limits"): lambda r: app.limiter.describe(),
            ("POST", "/rate-limits"): self.rate_limits,
            ("POST", "/seed"): self.seed,
            ("POST", "/reset"): self.reset,
            ("GET", "/state"): self.state,
            ("GET", "/settings"): lambda r: app.settings.to_json(),
            ("POST", "/settings"): self.set_settings,
            ("GET", "/load"): self.loads,
            ("POST", "/load"): self.start_load,
            ("DELETE", "/load"): self.stop_load,
        }

    def __call__(self, request: Request) -> Response:
        path = request.path[len(CONTROL_PREFIX) :].rstrip("/") or "/"
        handler = self.routes.get((request.method, path))
        if handler is None:
            known = any(p == path for _, p in self.routes)
            status = 405 if known else 404
            return json_response({"error": f"no control route {request.method} {path}"}, status)
        try:
            return json_response(handler(request))
        except (ValueError, TypeError, BadRequestException) as exc:
            message = exc.message if isinstance(exc, BadRequestException) else str(exc)
            return json_response({"error": message}, 400)

    def health(self, request: Request) -> dict[str, Any]:
        import moto

        return {
            "status": "ok",
            "account_id": ACCOUNT_ID,
            "accounts": accounts_with_state(),
            "moto_version": moto.__version__,
            "state_file": str(self.app.state_file) if self.app.state_file else None,
            "rate_limits": self.app.limiter.describe(),
            "settings": self.app.settings.to_json(),
        }

    def reset_requests(self, request: Request) -> dict[str, Any]:
        self.app.requests.reset()
        return {"reset": True}

    def faults(self, request: Request) -> dict[str, Any]:
        return {"faults": [f.to_json() for f in self.app.faults.pending()]}

    def add_fault(self, request: Request) -> dict[str, Any]:
        body = _body(request)
        fault = self.app.faults.add(
            operation=str(body.get("operation", "*")),
            kind=str(body.get("kind", "")),
            count=body.get("count", 1),
            seconds=body.get("seconds", 0.0),
        )
        return {"fault": fault.to_json(), **self.faults(request)}

    def clear_faults(self, request: Request) -> dict[str, Any]:
        self.app.faults.clear(request.args.get("operation"))
        return self.faults(request)

    def rate_limits(self, request: Request) -> dict[str, Any]:
        return self._configure_limits(_body(request))

    def _configure_limits(self, body: dict[str, Any]) -> dict[str, Any]:
        enabled = body.get("enabled")
        scale = body.get("scale")
        if enabled is not None and not isinstance(enabled, bool):
            raise ValueError("enabled must be true or false")
        if scale is not None and (isinstance(scale, bool) or not isinstance(scale, (int, float))):
            raise ValueError("scale must be a number > 0")
        self.app.limiter.configure(enabled=enabled, scale=scale)
        return self.app.limiter.describe()

    def seed(self, request: Request) -> dict[str, Any]:
        """Merge a seed; ``?account_id=`` sends its ``regions`` to that account."""
        body = _body(request)
        account_id = _account_arg(request)
        with self.app.lock:
            apply_seed(body, account_id)
            self.app.persist()
            return export_state(account_id)

    def set_settings(self, request: Request) -> dict[str, Any]:
        self.app.settings = self.app.settings.updated(_body(request))
        return self.app.settings.to_json()

    def reset(self, request: Request) -> dict[str, Any]:
        """Back to the start-up state (the --seed file if given, else empty) and the start-up
        settings (then ``settings`` in the body, if any, applied on top)."""
        body = _body(request)
        changes = body.get("settings") or {}
        if not isinstance(changes, dict):
            raise ValueError("settings must be an object")
        settings = self.app.startup_settings.updated(changes)
        self.app.outside_load.stop()
        with self.app.lock:
            self.app.initial_state()
            self.app.persist()
            self.app.settings = settings
        if body.get("requests"):
            self.app.requests.reset()
        if body.get("faults"):
            self.app.faults.clear()
        if isinstance(body.get("rate_limits"), dict):
            self._configure_limits(body["rate_limits"])
        return {"reset": True}

    def loads(self, request: Request) -> dict[str, Any]:
        return {"loads": self.app.outside_load.describe()}

    def start_load(self, request: Request) -> dict[str, Any]:
        self.app.outside_load.start(parse_load(_body(request)))
        return self.loads(request)

    def stop_load(self, request: Request) -> dict[str, Any]:
        self.app.outside_load.stop(operation=request.args.get("operation"))
        return self.loads(request)

    def state(self, request: Request) -> dict[str, Any]:
        """Every account's state, or one account's with ``?account_id=``."""
        account_id = _account_arg(request)
        with self.app.lock:
            return export_state(account_id)
