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

from . import _region
from ._component import configured_region
from .errors import VdmValidationError

_claims: dict[str, str] = {}
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


def claim_account_region(resource_name: str, region: Any) -> None:
    resolved = _program_region(region)
    if resolved is None:
        return
    with _lock:
        owner = _claims.get(resolved)
        if owner is not None and owner != resource_name:
            raise pulumi.RunError(
                f"AccountVdmAttributes {resource_name!r}: region {resolved!r} is already managed "
                f"by AccountVdmAttributes {owner!r} in this program; the account's VDM attributes "
                "are one per region, so two resources would overwrite each other. Keep one."
            )
        _claims[resolved] = resource_name


def reset_claims() -> None:
    """Forget claims; for tests that declare programs repeatedly in one process."""
    with _lock:
        _claims.clear()
