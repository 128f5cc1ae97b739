"""Drift: what a refresh found changed in AWS, said once, and handed to the engine in the user's
own shape so the next preview shows ``live => declared``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ._engine_log import warn
from ._leaves import INPUTS_KEY, Leaf, leaf, with_leaf


def drift_warning(
    context: str,
    leaves: Iterable[Leaf],
    managed: dict[str, Any],
    recorded: dict[str, Any],
    live: dict[str, Any],
) -> str | None:
    """The refresh warning for managed values changed since this stack last wrote or saw them.

    ``managed`` is the inputs last applied (a leaf set there is ours); ``recorded`` is the
    state's outputs: what the last create/update wrote (or the last refresh saw), so one
    out-of-band change is reported once, by the refresh that finds it. Unmanaged values are
    somebody else's and never reported.
    """
    changes = []
    for group, key in leaves:
        if leaf(managed, group, key) is None:
            continue
        before, after = leaf(recorded, group, key), leaf(live, group, key)
        if before is not None and before != after:
            path = f"{group}.{key}" if group else key
            changes.append(f"{path} {before} => {'(unset)' if after is None else after}")
    if not changes:
        return None
    return (
        f"{context}: changed since this stack last wrote or read it: {', '.join(changes)}. "
        "Another stack, the console or a script may be writing these settings (the next "
        "`pulumi up` writes the declared values back; keep one owner), or an interrupted or "
        "failed `pulumi up` of this stack applied them."
    )


def refreshed_inputs(
    context: str,
    leaves: Iterable[Leaf],
    outs: dict[str, Any],
    live: dict[str, Any],
) -> dict[str, Any]:
    """For ``read``: the inputs last applied, with every managed leaf set to its live value.

    Handed to the engine as the refreshed inputs, they make drift show in the next preview as
    ``live => declared`` in the user's own shape. Drift found here is also warned about.
    ``live`` holds only what AWS shows: a leaf it hides must already hold the recorded value.
    """
    leaves = tuple(leaves)
    inputs = dict(outs.get(INPUTS_KEY) or {})
    drifted = drift_warning(context, leaves, inputs, outs, live)
    if drifted:
        warn(drifted)
    for group, key in leaves:
        if leaf(inputs, group, key) is not None:
            inputs = with_leaf(inputs, group, key, leaf(live, group, key))
    return inputs
