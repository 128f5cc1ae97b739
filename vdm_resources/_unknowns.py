"""Preview-time unknowns, as the dynamic-provider host hands them to ``check`` and ``diff``.

An input built from another resource's output that does not exist yet (``Output`` not yet
known) reaches the provider as ``pulumi.output.Unknown`` (or, in some SDKs, as the engine's
sentinel string). Check must let it through (the engine checks again once it is known) and diff
must treat it as a possible change: hiding it would make a preview say "no change" for an ``up``
that writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from pulumi.output import Unknown

from ._leaves import Leaf

UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown) or value == UNKNOWN_SENTINEL


def unknown_paths(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every path at which ``value`` holds an unknown (the root is ``()``)."""
    if is_unknown(value):
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from unknown_paths(item, (*path, str(key)))


def without_unknowns(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_unknowns(v) for k, v in value.items() if not is_unknown(v)}
    return value


def unknown_leaves(props: dict[str, Any], leaves: Iterable[Leaf]) -> list[Leaf]:
    """Leaves whose value, or whose whole group, is not known yet.

    An unknown group (``dashboard_options=<Output>``) may turn out to manage its leaves, so each
    of them counts as unknown: the program may be taking them over.
    """
    out = []
    for group, key in leaves:
        holder = props.get(group) if group else None
        value = (
            props.get(key) if not group else (holder.get(key) if isinstance(holder, dict) else None)
        )
        if is_unknown(value) or (group and is_unknown(holder)):
            out.append((group, key))
    return out
