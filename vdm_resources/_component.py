"""Plumbing the read-only components share: errors that Pulumi prints as one line, reads that
run off the event loop once their inputs are known, and publishing a read's result as outputs.

Components read in the program process (during preview too), so their failures surface as
program errors; a ``pulumi.RunError`` is what the Python language host prints without a
traceback, hence the error classes below are both ours and ``RunError``s.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

import pulumi

from . import _aws
from ._shapes import REGION_NAME
from .errors import VdmApiError, VdmError, VdmValidationError

T = TypeVar("T")


class InputError(VdmValidationError, pulumi.RunError):
    """Invalid component input.

    Also a ``pulumi.RunError`` so the Python language host prints the message alone rather than
    "Program failed with an unhandled exception" and a traceback pointing into this package.
    """


class LateInputError(VdmError, pulumi.RunError):
    """Invalid input found only once an Output input resolved.

    Not a ``VdmValidationError``: that is a ``ValueError``, and Pulumi re-wraps a ValueError
    raised while it serializes outputs into "While processing input ..." with a traceback.
    """


class ReadError(VdmApiError, pulumi.RunError):
    """The read failed after ``_aws.call``'s retries; a ``RunError`` so Pulumi prints one line."""


def apply_error(exc: VdmError, context: str) -> Exception:
    """The exception to raise from inside an ``apply`` for an expected failure.

    Pulumi prints a ``RunError`` as a plain message; anything else becomes "Program failed with
    an unhandled exception" and a traceback through this package and the SDK.
    """
    message = str(exc)
    if not message.startswith(context):
        message = f"{context}: {message}"
    if isinstance(exc, pulumi.RunError) and not isinstance(exc, ValueError):
        return exc
    if isinstance(exc, VdmApiError):
        return ReadError(message, code=exc.code, operation=exc.operation)
    return LateInputError(message)


def fail(context: str | None, message: str) -> InputError:
    return InputError(f"{context}: {message}" if context else message)


def configured_region() -> str | None:
    """``aws:region`` from the stack config; the same place pulumi-aws would look."""
    try:
        return pulumi.Config("aws").get("region")
    except Exception:  # outside a Pulumi program (plain unit tests) there is no config
        return None


def is_plain(value: Any) -> bool:
    """True when ``value`` holds no Output or awaitable anywhere, so it can be checked now."""
    if isinstance(value, pulumi.Output) or asyncio.isfuture(value) or asyncio.iscoroutine(value):
        return False
    if isinstance(value, Mapping):
        return all(is_plain(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(is_plain(v) for v in value)
    return True


def run_blocking(func: Callable[..., T], *args: Any) -> Awaitable[T]:
    """Run a blocking read off the event loop.

    The read is paced at AWS's rates (a 1,000-recommendation read takes ten seconds); doing it
    on the loop would stall every other resource registration in the program meanwhile.
    """
    loop = asyncio.get_running_loop()
    return loop.run_in_executor(None, functools.partial(func, *args))


def _item(result: dict[str, Any], key: str) -> Any:
    return result[key]


def publish(
    component: pulumi.ComponentResource,
    result: pulumi.Output[dict[str, Any]],
    names: Sequence[str],
) -> None:
    """Expose each ``names`` entry of one read's result as an Output attribute and register
    them all, so stack outputs and ``pulumi preview`` diffs see plain JSON values."""
    outputs: dict[str, pulumi.Output[Any]] = {
        name: result.apply(functools.partial(_item, key=name)) for name in names
    }
    for name, output in outputs.items():
        setattr(component, name, output)
    component.register_outputs(outputs)


def validate_region(region: Any, context: str | None = None) -> str | None:
    if region is None:
        return None
    if not isinstance(region, str) or not REGION_NAME.match(region):
        raise fail(context, f"region: {region!r} is not an AWS region name (like 'us-east-1')")
    return region


def check_plain_region(region: Any, configured: str | None, context: str) -> None:
    """At construction: a plain ``region`` (or none at all) must name a region and resolve, so
    a bad or missing one fails the preview before anything is registered or called. An Output
    region is checked once it resolves, inside the read."""
    if not is_plain(region):
        return
    validate_region(region, context)
    try:
        _aws.resolve_region(region, configured)
    except VdmValidationError as exc:
        raise fail(context, str(exc)) from exc
