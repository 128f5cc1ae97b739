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
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from pulumi.dynamic import CheckFailure, CheckResult, ConfigureRequest, ResourceProvider
from pulumi.output import Unknown
from pydantic import BaseModel, ValidationError

from . import _aws
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
            failures.append(CheckFailure(top, reason))
    return CheckResult(news, failures)


def one_line_errors(resource_type: str) -> Callable[[F], F]:
    """Re-raise expected failures as a plain exception whose text is the whole story.

    The engine shows the exception's text; a VdmError's message already names resource,
    operation, target and AWS's answer. Anything else is a bug and keeps its traceback.
    """

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def inner(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except VdmError as exc:
                raise Exception(str(exc)) from None

        return inner  # type: ignore[return-value]

    return wrap


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
