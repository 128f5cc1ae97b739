"""Switches for behaviour AWS leaves undocumented, so tests can run under each reading.

One ``Settings`` per process, set from the command line, changed at runtime through
``/_vdm/settings`` and put back to the start-up values by ``/_vdm/reset``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal, cast

AccountPut = Literal["merge", "replace"]
ACCOUNT_PUT_MODES: tuple[AccountPut, ...] = ("merge", "replace")


@dataclass(frozen=True)
class Settings:
    #: Whether PutAccountVdmAttributes keeps (merge) or resets to DISABLED (replace) a nested
    #: block it omits. AWS does not document which; "merge" is the default reading.
    account_put: AccountPut = "merge"

    def __post_init__(self) -> None:
        if self.account_put not in ACCOUNT_PUT_MODES:
            raise ValueError(
                f"account_put must be one of {', '.join(ACCOUNT_PUT_MODES)}, "
                f"not {self.account_put!r}"
            )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def updated(self, changes: Mapping[str, Any]) -> Settings:
        """A copy with ``changes`` applied; unknown names and bad values are refused."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ValueError(f"unknown settings {unknown}; known: {sorted(known)}")
        return replace(self, **cast(dict[str, Any], dict(changes)))
