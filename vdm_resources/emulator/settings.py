"""Switches for behaviour AWS leaves undocumented or too slow to test, set per process.

One ``Settings`` per process, set from the command line, changed at runtime through
``/_vdm/settings`` and put back to the start-up values by ``/_vdm/reset``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal

AccountPut = Literal["merge", "replace"]
ACCOUNT_PUT_MODES: tuple[AccountPut, ...] = ("merge", "replace")
_ROLE_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$")


@dataclass(frozen=True)
class Settings:
    #: Whether PutAccountVdmAttributes keeps (merge) or resets to DISABLED (replace) a nested
    #: block it omits. AWS does not document which; "merge" is the default reading.
    account_put: AccountPut = "merge"
    #: Cap on the lifetime of credentials AssumeRole issues (AWS's minimum, 900 s, is too long
    #: to wait for in a test of credential refresh); None = as requested.
    sts_duration_seconds: int | None = None
    #: Role ARNs whose AssumeRole answers AccessDenied (beside roles named ``denied*``).
    sts_denied_roles: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.account_put not in ACCOUNT_PUT_MODES:
            raise ValueError(
                f"account_put must be one of {', '.join(ACCOUNT_PUT_MODES)}, "
                f"not {self.account_put!r}"
            )
        cap = self.sts_duration_seconds
        if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 1):
            raise ValueError(f"sts_duration_seconds must be an integer >= 1 or null, not {cap!r}")
        roles = self.sts_denied_roles
        if not isinstance(roles, (list, tuple)) or not all(
            isinstance(r, str) and _ROLE_ARN_RE.match(r) for r in roles
        ):
            raise ValueError(
                "sts_denied_roles must be a list of role ARNs "
                f"(arn:aws:iam::<account id>:role/<name>), not {roles!r}"
            )
        object.__setattr__(self, "sts_denied_roles", tuple(roles))

    def to_json(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["sts_denied_roles"] = list(self.sts_denied_roles)
        return doc

    def updated(self, changes: Mapping[str, Any]) -> Settings:
        """A copy with ``changes`` applied; unknown names and bad values are refused."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ValueError(f"unknown settings {unknown}; known: {sorted(known)}")
        return replace(self, **dict(changes))
