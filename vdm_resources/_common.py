"""Small pieces both resources need on the program side and in the provider process."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

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
    nested = props.get(group)
    return nested.get(key) if isinstance(nested, dict) else None


def with_leaf(props: dict[str, Any], group: str, key: str, value: Any) -> dict[str, Any]:
    out = dict(props)
    nested = dict(out.get(group) or {})
    nested[key] = value
    out[group] = nested
    return out
