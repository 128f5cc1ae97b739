"""Leaves: the one vocabulary the providers use for "which settings does the program manage".

A resource's settings are leaves addressed as ``(group, key)``: ``("dashboard_options",
"engagement_metrics")``, or ``("", "vdm_enabled")`` for a top-level property. A leaf the program
sets (not None) is managed; one it leaves out belongs to somebody else and is never changed,
diffed or reported. Every provider step (diff, write, drift, delete) is phrased over leaves, so
the two resources share them instead of each spelling out its own nested dicts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

Leaf = tuple[str, str]

#: Output-only keys: declared on the resources (so they become Output attributes) but never
#: validated as user input.
OUTPUT_ONLY = frozenset({"previous_vdm_attributes", "previous_vdm_options", "account_id"})
#: The Pulumi resource name, carried as an internal input so provider errors can name the
#: resource the user wrote; ``__``-prefixed keys are hidden from diffs and displays.
NAME_KEY = "__name"
#: The inputs last applied, kept in outputs so that ``read`` (which only gets outputs) can hand
#: the engine drifted inputs in the user's own shape.
INPUTS_KEY = "__inputs"


def leaf(props: Any, group: str, key: str) -> Any:
    """The value at ``group.key``; group "" names a top-level property."""
    if not isinstance(props, dict):
        return None
    if not group:
        return props.get(key)
    nested = props.get(group)
    return nested.get(key) if isinstance(nested, dict) else None


def with_leaf(props: dict[str, Any], group: str, key: str, value: Any) -> dict[str, Any]:
    """A copy of ``props`` with ``group.key`` set (group "" names a top-level property)."""
    out = dict(props)
    if not group:
        out[key] = value
        return out
    nested = dict(out.get(group) or {})
    nested[key] = value
    out[group] = nested
    return out


def managed(props: Any, leaves: Iterable[Leaf]) -> list[Leaf]:
    """The leaves ``props`` sets."""
    return [(g, k) for g, k in leaves if leaf(props, g, k) is not None]


def overlay(
    live: dict[str, Any] | None, declared: dict[str, Any], leaves: Iterable[Leaf]
) -> dict[str, Any]:
    """What the target holds after a write of ``declared`` over ``live``: every leaf, with the
    declared ones winning and the others at their live value (None where unknown)."""
    out: dict[str, Any] = {}
    for group, key in leaves:
        value = leaf(declared, group, key)
        if value is None:
            value = leaf(live, group, key)
        out = with_leaf(out, group, key, value)
    return out


def ownership_changed(olds: dict[str, Any], news: dict[str, Any], leaves: Iterable[Leaf]) -> bool:
    """Whether the program starts or stops managing a leaf since the last write.

    Neither needs an API call by itself, but the state must record it: delete removes exactly the
    leaves the state says are managed, so a stale record would later remove an option the program
    handed over, or keep one it took on.
    """
    recorded = olds.get(INPUTS_KEY)
    if not isinstance(recorded, dict):
        return False
    leaves = tuple(leaves)
    return set(managed(news, leaves)) != set(managed(recorded, leaves))


def taken_over(olds: dict[str, Any], news: dict[str, Any], leaves: Iterable[Leaf]) -> list[Leaf]:
    """Leaves the program manages now but did not at the last write.

    Their recorded value is whatever AWS held when the state last looked, possibly long ago: a
    take-over must compare the declared value with a fresh read, never with that record.
    """
    recorded = olds.get(INPUTS_KEY)
    leaves = tuple(leaves)
    if not isinstance(recorded, dict):
        return []
    before = set(managed(recorded, leaves))
    return [lf for lf in managed(news, leaves) if lf not in before]
