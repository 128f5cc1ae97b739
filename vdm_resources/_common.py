"""Small pieces both resources need on the program side and in the provider process."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

#: Output-only keys: declared on the resource (so they become Output attributes) but never
#: validated as user input.
OUTPUT_ONLY = frozenset({"previous_vdm_attributes", "previous_vdm_options"})
#: The Pulumi resource name, carried as an internal input so provider errors can name the
#: resource the user wrote; ``__``-prefixed keys are hidden from diffs and displays.
NAME_KEY = "__name"
#: The inputs last applied, kept in outputs so that ``read`` (which only gets outputs) can hand
#: the engine drifted inputs in the user's own shape.
INPUTS_KEY = "__inputs"


def plain(value: Any) -> Any:
    """Args classes (pydantic models) become dicts; Outputs and plain values pass through."""
    if isinstance(value, BaseModel):
        return {k: v for k, v in value.model_dump().items() if v is not None}
    return value


def leaf(props: dict[str, Any], group: str, key: str) -> Any:
    """The value at ``group.key``; group "" names a top-level property."""
    if not group:
        return props.get(key)
    nested = props.get(group)
    return nested.get(key) if isinstance(nested, dict) else None


def ownership_changed(
    olds: dict[str, Any], news: dict[str, Any], leaves: tuple[tuple[str, str], ...]
) -> bool:
    """Whether the program starts or stops managing a leaf since the last write.

    Neither needs an API call, but the state must record it: delete removes exactly the leaves
    the state says are managed, so a stale record would later remove an option the program
    handed over, or keep one it took on.
    """
    recorded = olds.get(INPUTS_KEY)
    if not isinstance(recorded, dict):
        return False
    managed_now = {(g, k) for g, k in leaves if leaf(news, g, k) is not None}
    managed_before = {(g, k) for g, k in leaves if leaf(recorded, g, k) is not None}
    return managed_now != managed_before


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


class _ArgsModel(BaseModel):
    # Inputs may be Outputs (arbitrary types); a misspelt key fails in the program at once.
    model_config = ConfigDict(arbitrary_types_allowed=True, extra="forbid")


class EngagementMetricsArgs(_ArgsModel):
    """Typed form of a dashboard block; dicts work too."""

    engagement_metrics: Any = None  # pulumi.Input[str]: "ENABLED" | "DISABLED"


class OptimizedSharedDeliveryArgs(_ArgsModel):
    """Typed form of a guardian block; dicts work too."""

    optimized_shared_delivery: Any = None  # pulumi.Input[str]: "ENABLED" | "DISABLED"
