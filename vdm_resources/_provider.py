"""What the two dynamic providers share: unknown-aware checking, region configuration, and
turning expected failures into one-line errors.

The provider classes live in importable modules (never ``__main__``) so dill pickles them by
reference: the ``__provider`` blob in state stays ~100 bytes and does not change when this code
does. Instances carry no attributes at pickling time; ``configure`` runs in the provider process
and only stores plain configuration there.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, ConfigureRequest, ResourceProvider
from pulumi.output import Unknown
from pydantic import BaseModel, ValidationError

from . import _aws, _host
from ._common import INPUTS_KEY, leaf, with_leaf
from ._shapes import describe_errors
from .errors import VdmError

PROVIDER_KEY = "__provider"
UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

# The dynamic provider host logs every exception raised by a provider method with a full
# traceback before passing its message to the engine. Expected failures (VdmError) already carry
# a complete one-line message, so the traceback is noise; unexpected ones keep theirs below.
logging.getLogger("grpc._server").setLevel(logging.CRITICAL)

F = TypeVar("F", bound=Callable[..., Any])


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown) or value == UNKNOWN_SENTINEL


def _unknown_paths(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if is_unknown(value):
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _unknown_paths(item, (*path, str(key)))


def _without_unknowns(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_unknowns(v) for k, v in value.items() if not is_unknown(v)}
    return value


def user_props(props: dict[str, Any]) -> dict[str, Any]:
    """The user's properties: ``__provider`` and engine internals removed."""
    return {k: v for k, v in props.items() if k != PROVIDER_KEY and not k.startswith("__")}


def check_props(model: type[BaseModel], news: dict[str, Any]) -> CheckResult:
    """Validate with pydantic, letting preview-time unknowns through untouched.

    Unknown values are dropped before validation and any error at or below an unknown path is
    ignored: the engine calls check again with real values before create/update.
    """
    props = user_props(news)
    unknown = set(_unknown_paths(props))
    failures: list[CheckFailure] = []
    try:
        model.model_validate(_without_unknowns(props))
    except ValidationError as exc:
        for (top, reason), err in zip(describe_errors(exc, props), exc.errors(), strict=True):
            loc = tuple(str(p) for p in err["loc"])
            if any(loc[: len(u)] == u for u in unknown):
                continue
            failures.append(CheckFailure(top, _printable(reason)))
    return CheckResult(news, failures)


def _printable(text: str) -> str:
    """``text`` on one line: a key or value holding a newline or other control character (a
    user's typo, generated input) is shown escaped rather than breaking the engine's display."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def one_line_errors(resource_type: str) -> Callable[[F], F]:
    """Re-raise expected failures as a plain exception whose text is the whole story.

    A VdmError's message already names resource, operation, target and AWS's answer;
    ``_host.fail`` makes it the whole of what the engine shows, on every SDK in range (the
    hosts differ: see ``_host``). Anything else is a bug and keeps its traceback.
    """

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def inner(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except VdmError as exc:
                _host.fail(str(exc))

        return inner  # type: ignore[return-value]

    return wrap


#: How the engine's gRPC address looks on the provider's command line (``127.0.0.1:40123``).
_ADDRESS = re.compile(r"^(\[[0-9a-fA-F:]+\]|[\w.-]+):\d+$")


def _engine_address() -> str | None:
    """The engine's address when running as the dynamic-provider plugin, else None.

    The engine starts every resource plugin with its own gRPC address as the last argument, and
    the Python dynamic-provider launcher passes it through; but ``pulumi.dynamic``'s host never
    connects to it, so ``pulumi.log`` inside a provider only prints to stderr (shown by the CLI
    as plain text, not counted as a warning).
    """
    argv = sys.argv
    if not argv or not argv[0].replace(os.sep, "/").endswith("pulumi/dynamic/__main__.py"):
        return None
    for arg in reversed(argv[1:]):
        if _ADDRESS.match(arg):
            return arg
    return None


def warn(message: str) -> None:
    """Show ``message`` as a warning of the current CLI run, from the provider process.

    Goes straight to the engine's ``Log`` service so the CLI lists it under "Diagnostics" and
    counts it as a warning; anywhere else (unit tests, an engine that cannot be reached) it
    falls back to ``pulumi.log.warn``, which prints it. A warning must never fail a refresh.
    """
    address = _engine_address()
    if address is not None:
        try:
            import grpc
            from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

            with grpc.insecure_channel(address) as channel:
                engine_pb2_grpc.EngineStub(channel).Log(
                    engine_pb2.LogRequest(severity=engine_pb2.WARNING, message=message, urn=""),
                    timeout=5,
                )
            return
        except Exception:  # any failure: fall through to the printed form
            pass
    pulumi.log.warn(message)


def drift_warning(
    context: str,
    leaves: Iterable[tuple[str, str]],
    managed: dict[str, Any],
    recorded: dict[str, Any],
    live: dict[str, Any],
) -> str | None:
    """The refresh warning for managed values changed since this stack last wrote or saw them.

    ``managed`` is the inputs last applied (a leaf set there is ours); ``recorded`` is the
    state's outputs: what the last create/update wrote (or the last refresh saw), so one
    out-of-band change is reported once, by the refresh that finds it. Unmanaged values are
    somebody else's and never reported.
    """
    changes = []
    for group, key in leaves:
        if leaf(managed, group, key) is None:
            continue
        before, after = leaf(recorded, group, key), leaf(live, group, key)
        if before is not None and before != after:
            path = f"{group}.{key}" if group else key
            changes.append(f"{path} {before} => {'(unset)' if after is None else after}")
    if not changes:
        return None
    return (
        f"{context}: changed since this stack last wrote or read it: {', '.join(changes)}. "
        "Another stack, the console or a script may be writing these settings (the next "
        "`pulumi up` writes the declared values back; keep one owner), or an interrupted or "
        "failed `pulumi up` of this stack applied them."
    )


def refreshed_inputs(
    context: str,
    leaves: Iterable[tuple[str, str]],
    outs: dict[str, Any],
    live: dict[str, Any],
) -> dict[str, Any]:
    """For ``read``: the inputs last applied, with every managed leaf set to its live value.

    Handed to the engine as the refreshed inputs, they make drift show in the next preview as
    ``live => declared`` in the user's own shape. Drift found here is also warned about.
    """
    leaves = tuple(leaves)
    inputs = dict(outs.get(INPUTS_KEY) or {})
    drifted = drift_warning(context, leaves, inputs, outs, live)
    if drifted:
        warn(drifted)
    for group, key in leaves:
        if leaf(inputs, group, key) is not None:
            inputs = with_leaf(inputs, group, key, leaf(live, group, key))
    return inputs


class BaseVdmProvider(ResourceProvider):
    """Holds the stack's ``aws:region`` (from ``configure``) for region resolution."""

    # Nothing secret is ever captured in the provider (it holds no state at pickling time), so
    # the blob need not be encrypted as a secret: it stays small and readable in state.
    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        value = req.config.get("aws:region")
        self._stack_region = value if isinstance(value, str) and value else None

    def resolve_region(self, explicit: Any) -> str:
        configured = getattr(self, "_stack_region", None)
        return _aws.resolve_region(explicit if isinstance(explicit, str) else None, configured)
