"""Catching, in the program, two resources that would fight over one per-region singleton.

The account's VDM attributes exist once per account and region; two ``AccountVdmAttributes``
for the same region in one program would overwrite each other on every ``up``. The program
process sees every resource being declared, so it is the one place that can refuse this at
preview time. Regions given as Outputs are only known later and are not checked here.
"""

from __future__ import annotations

import threading
from typing import Any

import pulumi

from . import _region, _targets
from ._args import plain
from ._component import configured_assume_roles, configured_profile, configured_region
from ._credentials import ROLE_ARN
from .errors import VdmValidationError

_claims: dict[tuple[str, str], str] = {}
_lock = threading.Lock()


def _program_region(explicit: Any) -> str | None:
    if isinstance(explicit, str):
        return explicit
    if explicit is not None:
        return None  # an Output: unknown until apply
    try:
        return _region.resolve_region(None, configured_region())
    except VdmValidationError:
        return None  # no region anywhere: the provider's check reports it, named


def _program_account(assume_role: Any, profile: Any) -> str | None:
    """Which account a declaration names, as far as the program can tell without a call: a
    role's account, a profile's name, or the default credentials; None while an Output."""
    if assume_role is not None:
        arn = assume_role.get("role_arn") if isinstance(assume_role, dict) else None
        match = ROLE_ARN.match(arn) if isinstance(arn, str) else None
        return f"account {match.group(1)}" if match else None
    if profile is not None:
        return f"profile {profile!r}" if isinstance(profile, str) else None
    try:
        stack_role = _targets.stack_assume_role(configured_assume_roles())
    except (VdmValidationError, ValueError):
        return None  # the provider's check reports it, named
    if stack_role:
        return _program_account(stack_role, None)
    stack_profile = configured_profile()
    return f"profile {stack_profile!r}" if stack_profile else ""


def claim_account_region(
    resource_name: str, region: Any, assume_role: Any = None, profile: Any = None
) -> None:
    """Refuse a second ``AccountVdmAttributes`` for the same account and region. Accounts are
    told apart by what names them (role, profile, default credentials): two names for one
    account are not caught here."""
    resolved = _program_region(region)
    account = _program_account(plain(assume_role), profile)
    if resolved is None or account is None:
        return
    key = (account, resolved)
    with _lock:
        owner = _claims.get(key)
        if owner is not None and owner != resource_name:
            where = f"region {resolved!r}" + (f" of {account}" if account else "")
            raise pulumi.RunError(
                f"AccountVdmAttributes {resource_name!r}: {where} is already managed "
                f"by AccountVdmAttributes {owner!r} in this program; the account's VDM attributes "
                "are one per region, so two resources would overwrite each other. Keep one."
            )
        _claims[key] = resource_name


def reset_claims() -> None:
    """Forget claims; for tests that declare programs repeatedly in one process."""
    with _lock:
        _claims.clear()
