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
from typing import Any, ClassVar, TypeVar

import pulumi
from pydantic import ValidationError

from . import _region, _targets
from ._args import plain
from ._check import describe_error
from ._credentials import AwsTarget
from ._targets import AssumeRoleProps
from .errors import (
    InputError,
    LateInputError,
    ReadError,
    VdmApiError,
    VdmError,
    VdmValidationError,
    case_hint,
)

T = TypeVar("T")


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


def require_choice(
    value: Any, allowed: Sequence[str], where: str, what: str, context: str | None
) -> str:
    """``value`` if it is one of ``allowed``; else the one-line error naming it, what is allowed
    and, for the commonest slip, that only its case is wrong."""
    if value in allowed:
        return str(value)
    hint = case_hint(value, allowed, "mind the case")
    choices = ", ".join(allowed)
    raise fail(context, f"{where}: unknown {what} {value!r}{hint}; allowed: {choices}")


def configured_region() -> str | None:
    """``aws:region`` from the stack config; the same place pulumi-aws would look."""
    try:
        return pulumi.Config("aws").get("region")
    except Exception:  # outside a Pulumi program (plain unit tests) there is no config
        return None


def configured_profile() -> str | None:
    """``aws:profile`` from the stack config (pulumi-aws's key)."""
    try:
        return pulumi.Config("aws").get("profile")
    except Exception:  # outside a Pulumi program there is no config
        return None


def configured_assume_roles() -> Any:
    """``aws:assumeRoles`` from the stack config (pulumi-aws v7's key), as stored."""
    try:
        return pulumi.Config("aws").get("assumeRoles")
    except Exception:  # outside a Pulumi program there is no config
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
    problem = _region.region_problem(region)
    if problem:
        raise fail(context, f"region: {problem}")
    return region


def check_plain_region(region: Any, configured: str | None, context: str) -> None:
    """At construction: a plain ``region`` (or none at all) must name a region and resolve, so
    a bad or missing one fails the preview before anything is registered or called. An Output
    region is checked once it resolves, inside the read."""
    if not is_plain(region):
        return
    validate_region(region, context)
    try:
        _region.resolve_region(region, configured)
    except VdmValidationError as exc:
        raise fail(context, str(exc)) from exc


def account_target(assume_role: Any, profile: Any, context: str) -> AwsTarget:
    """The account a component reads: its ``assume_role``/``profile``, else the stack's
    ``aws:assumeRoles``/``aws:profile``, else the default credentials (as the resources)."""
    role = plain(assume_role)
    if role is not None:
        try:
            role = AssumeRoleProps.model_validate(role).model_dump()
        except ValidationError as exc:
            reasons = "; ".join(describe_error(AssumeRoleProps, e)[1] for e in exc.errors())
            raise fail(context, f"assume_role: {reasons}") from None
    if profile is not None and not isinstance(profile, str):
        raise fail(context, f"profile: {profile!r} must be a profile name (a string)")
    try:
        stack_role = _targets.stack_assume_role(configured_assume_roles())
    except (VdmValidationError, ValueError) as exc:
        raise fail(context, str(exc)) from None
    return _targets.target_for(role, profile, stack_role, configured_profile())


def check_plain_account(assume_role: Any, profile: Any, context: str) -> None:
    """At construction, like the region: plain account inputs that can never work fail now."""
    if is_plain(assume_role) and is_plain(profile):
        account_target(assume_role, profile, context)


class ReadOnlyComponent(pulumi.ComponentResource):
    """What both read-only components are: check plain inputs at construction, read once every
    input is known (off the event loop, during preview too), publish the result as outputs.

    A subclass names its type token and outputs and supplies its steps: ``_check_plain``
    (construction time: whatever of the inputs is already plain), ``_prepare`` (the resolved
    inputs, validated, as the arguments of the read) and ``_fetch`` (the blocking read). Expected
    failures in any step become the one-line errors the language host prints without a
    traceback (:func:`apply_error`), so neither component can forget to.
    """

    type_token: ClassVar[str]
    output_names: ClassVar[tuple[str, ...]]

    def __init_subclass__(
        cls, *, type_token: str, output_names: tuple[str, ...], **kwargs: Any
    ) -> None:
        super().__init_subclass__(**kwargs)
        cls.type_token = type_token
        cls.output_names = output_names

    def __init__(
        self,
        resource_name: str,
        inputs: Mapping[str, Any],
        opts: pulumi.ResourceOptions | None,
    ) -> None:
        context = f"{type(self).__name__} {resource_name!r}"
        self._context = context
        # Plain inputs are checked before anything is registered: bad input must fail the
        # preview without a single API call. Output inputs are checked again once resolved.
        self._check_plain(inputs)
        configured = configured_region()
        check_plain_region(inputs.get("region"), configured, context)
        check_plain_account(inputs.get("assume_role"), inputs.get("profile"), context)

        super().__init__(self.type_token, resource_name, {}, opts)

        names = tuple(inputs)

        def read(args: list[Any]) -> Awaitable[dict[str, Any]]:
            values = dict(zip(names, args, strict=True))
            try:
                prepared = self._prepare(values)
                region = _region.resolve_region(
                    validate_region(values.get("region"), context), configured
                )
                target = account_target(values.get("assume_role"), values.get("profile"), context)
            except VdmError as exc:
                raise apply_error(exc, context) from exc

            async def run() -> dict[str, Any]:
                try:
                    out = await run_blocking(self._fetch, region, target, prepared)
                except VdmError as exc:
                    raise apply_error(exc, context) from exc
                return self._finish(out)

            return run()

        self._result: pulumi.Output[dict[str, Any]] = pulumi.Output.all(
            *(pulumi.Output.from_input(v) for v in inputs.values())
        ).apply(read)
        publish(self, self._result, self.output_names)

    def _check_plain(self, inputs: Mapping[str, Any]) -> None:
        raise NotImplementedError

    def _prepare(self, values: Mapping[str, Any]) -> Any:
        raise NotImplementedError

    def _fetch(self, region: str, target: AwsTarget, prepared: Any) -> dict[str, Any]:
        raise NotImplementedError

    def _finish(self, out: dict[str, Any]) -> dict[str, Any]:
        """Back on the event loop after the read (where ``pulumi.log`` may be used)."""
        return out
