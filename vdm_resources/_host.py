"""How an expected failure inside a provider method reaches the user as one clean line.

The Python dynamic-provider host (``python -m pulumi.dynamic``, the SDK's ``__main__``) turns an
exception raised by a provider method into the gRPC error the engine prints, and each SDK does it
differently:

- pulumi < 3.260: grpc's server catches the exception and answers
  ``Exception calling application: <str(exc)>`` (and logs the traceback, see ``_provider``).
- pulumi >= 3.260: every RPC is wrapped in ``_abort_with_traceback``, which answers
  ``context.abort(UNKNOWN, traceback.format_exc())``: the user reads a Python traceback first.

Neither is the product's one line. Both hosts give the gRPC ``context`` to the RPC method that
called the provider, so :func:`fail` aborts the RPC itself with exactly the product's message:

- on the older host the abort is final (grpc sees the call aborted and sends our details);
- on the newer host ``_abort_with_traceback`` catches the abort and aborts again with
  ``traceback.format_exc()``; the host module's ``traceback`` name is therefore given a stand-in
  whose ``format_exc`` answers the details of an RPC we already aborted, and delegates to the
  real function for everything else, so a bug keeps its full traceback.

Outside the host (unit tests calling a provider in-process) :func:`fail` raises
:class:`ProviderFailure`, whose text is the same message.
"""

from __future__ import annotations

import functools
import logging
import sys
import threading
import traceback
from collections.abc import Callable
from types import FrameType, ModuleType
from typing import Any, NoReturn, TypeVar

from .errors import VdmError

F = TypeVar("F", bound=Callable[..., Any])

# The older host's grpc server logs every exception a provider method raises with a full
# traceback before answering; expected failures already carry a complete one-line message.
logging.getLogger("grpc._server").setLevel(logging.CRITICAL)

#: The host's RPC methods that call into a provider (``DynamicResourceProviderServicer``).
_RPC_METHODS = frozenset({"Check", "Diff", "Create", "Read", "Update", "Delete"})
_lock = threading.Lock()


class ProviderFailure(Exception):
    """An expected failure whose text is the whole story (resource, target, operation, code)."""


def host_module() -> ModuleType | None:
    """The dynamic-provider host's module when this process is that host, else None."""
    main = sys.modules.get("__main__")
    if main is not None and hasattr(main, "DynamicResourceProviderServicer"):
        return main
    return None


def _rpc_context(start: FrameType | None) -> Any:
    """The gRPC context of the host RPC method on the current call stack, or None."""
    frame = start
    while frame is not None:
        if frame.f_code.co_name in _RPC_METHODS and "DynamicResourceProviderServicer" in (
            frame.f_globals
        ):
            context = frame.f_locals.get("context")
            if context is not None and hasattr(context, "abort"):
                return context
        frame = frame.f_back
    return None


class _HostTraceback:
    """Stands in for the ``traceback`` module inside the host module only."""

    def __init__(self, real: ModuleType) -> None:
        self._real = real
        self._details: dict[int, str] = {}
        self._details_lock = threading.Lock()

    def remember(self, context: Any, message: str) -> None:
        with self._details_lock:
            self._details[id(context)] = message

    def format_exc(self, *args: Any, **kwargs: Any) -> str:
        # Called by the host's wrapper, whose frame holds the RPC's ``context``; the RPC method
        # itself has already unwound.
        frame: FrameType | None = sys._getframe(1)
        with self._details_lock:
            while frame is not None and self._details:
                context = frame.f_locals.get("context")
                if context is not None and id(context) in self._details:
                    return self._details.pop(id(context))
                frame = frame.f_back
        return str(self._real.format_exc(*args, **kwargs))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def _stand_in(host: ModuleType) -> _HostTraceback | None:
    """Install (once) the ``traceback`` stand-in in a host that formats tracebacks itself."""
    if not hasattr(host, "_abort_with_traceback"):
        return None
    with _lock:
        current = getattr(host, "traceback", None)
        if isinstance(current, _HostTraceback):
            return current
        stand_in = _HostTraceback(current if isinstance(current, ModuleType) else traceback)
        host.traceback = stand_in  # type: ignore[attr-defined]
        return stand_in


def fail(message: str) -> NoReturn:
    """End the current provider call with ``message`` as the user's one line."""
    host = host_module()
    context = _rpc_context(sys._getframe(1)) if host is not None else None
    if host is not None and context is not None:
        stand_in = _stand_in(host)
        if stand_in is not None:
            stand_in.remember(context, message)
        import grpc

        context.abort(grpc.StatusCode.UNKNOWN, message)  # raises
    raise ProviderFailure(message) from None


def one_line_errors(fn: F) -> F:
    """Make an expected failure (a :class:`VdmError`, whose message already names resource,
    target, operation and AWS's answer) the whole of what the engine shows, on every SDK in
    range. Anything else is a bug and keeps its traceback."""

    @functools.wraps(fn)
    def inner(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except VdmError as exc:
            fail(str(exc))

    return inner  # type: ignore[return-value]
