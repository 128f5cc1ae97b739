"""Which account a resource or component acts in, decided the way a pulumi-aws provider does.

Its own ``assume_role`` / ``profile`` arguments, else the stack's ``aws:assumeRoles`` /
``aws:profile`` (pulumi-aws v7's config keys), else boto3's default chain. The result is an
:class:`~vdm_resources._credentials.AwsTarget`: a spec holding no secret; the credentials it
leads to are made (and refreshed) by ``_credentials`` in the process that calls.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from pydantic import field_validator

from ._check import StrictProps
from ._credentials import AssumeRole, AwsTarget, duration_problem, role_arn_problem
from .errors import VdmValidationError

#: pulumi-aws's camelCase config keys for one role, in our snake_case.
_CONFIG_KEYS = {
    "roleArn": "role_arn",
    "sessionName": "session_name",
    "externalId": "external_id",
    "durationSeconds": "duration_seconds",
    "duration": "duration",
}
_GO_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


class AssumeRoleProps(StrictProps):
    """``assume_role``, with pulumi-aws's field names."""

    role_arn: str
    session_name: str | None = None
    external_id: str | None = None
    duration_seconds: int | None = None

    @field_validator("role_arn")
    @classmethod
    def _role_arn(cls, value: str) -> str:
        problem = role_arn_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("duration_seconds")
    @classmethod
    def _duration(cls, value: int | None) -> int | None:
        problem = duration_problem(value)
        if problem:
            raise ValueError(problem)
        return value


def _seconds(duration: Any) -> int:
    """pulumi-aws's ``duration`` (a Go duration like ``1h30m``) in seconds."""
    match = _GO_DURATION.match(str(duration).strip()) if duration else None
    if not match or not any(match.groups()):
        raise VdmValidationError(
            f"aws:assumeRoles: duration {duration!r} is not a duration like '1h' or '15m'"
        )
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def stack_assume_role(raw: Any) -> dict[str, Any] | None:
    """The stack's ``aws:assumeRoles`` (a list, as pulumi-aws v7 takes it, or its JSON text) as
    one ``assume_role`` dict; None when unset. A chain of several roles is refused, clearly."""
    if raw is None or raw == "":
        return None
    value = json.loads(raw) if isinstance(raw, str) else raw
    if isinstance(value, Mapping):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise VdmValidationError(
            f"aws:assumeRoles: {value!r} must be a list of roles like [{{'roleArn': '...'}}]"
        )
    if not value:
        return None
    if len(value) > 1:
        raise VdmValidationError(
            f"aws:assumeRoles: {len(value)} roles form a chain, which this package does not "
            "assume; give one role (its trust policy must accept the base credentials)"
        )
    out: dict[str, Any] = {}
    for key, item in value[0].items():
        name = _CONFIG_KEYS.get(str(key), str(key))
        if name == "duration":
            out["duration_seconds"] = _seconds(item)
        elif item is not None:
            out[name] = item
    unknown = sorted(set(out) - set(AssumeRoleProps.model_fields))
    if unknown:
        raise VdmValidationError(
            f"aws:assumeRoles: unsupported key(s) {', '.join(unknown)}; supported: "
            f"{', '.join(_CONFIG_KEYS)}"
        )
    return out


def target_for(
    assume_role: Mapping[str, Any] | None,
    profile: str | None,
    stack_role: Mapping[str, Any] | None = None,
    stack_profile: str | None = None,
) -> AwsTarget:
    """The account to act in: the resource's own arguments first, then the stack's defaults."""
    role = assume_role or stack_role
    chosen_profile = profile or stack_profile or None
    if not role:
        return AwsTarget(profile=chosen_profile)
    return AwsTarget(
        profile=chosen_profile,
        assume_role=AssumeRole(
            role_arn=str(role["role_arn"]),
            session_name=role.get("session_name"),
            external_id=role.get("external_id"),
            duration_seconds=role.get("duration_seconds"),
        ),
    )


def named_account(target: AwsTarget) -> str | None:
    """The account a target names without a call: its role's; None for a profile or default."""
    return target.assume_role.account_id if target.assume_role is not None else None


def recorded(target: AwsTarget) -> dict[str, Any]:
    """What the state keeps of a target: enough to see it changed, nothing secret (no external
    id, which AWS does not call secret but which has no business in outputs)."""
    role = target.assume_role
    return {
        "profile": target.profile,
        "role_arn": role.role_arn if role else None,
        "session_name": role.session_name if role else None,
    }
