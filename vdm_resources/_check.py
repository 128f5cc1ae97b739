"""Checking a resource's inputs at preview: pydantic models, unknowns let through, and failures
worded so the user can act on them (property, value, what is allowed).

Pulumi shows a check failure against a top-level property, so nested paths are spelt out in the
reason (``dashboard_attributes.engagement_metrics: 'on' is not one of ...``). Each resource
validates against its own model, so a misspelt property lists that resource's names only.
"""

from __future__ import annotations

from typing import Annotated, Any, get_args

from pulumi.dynamic import CheckFailure
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from . import _region
from ._model import FEATURE_STATUSES
from ._unknowns import unknown_paths, without_unknowns
from .errors import case_hint


def _region_name(value: str) -> str:
    problem = _region.region_problem(value)
    if problem:
        raise ValueError(problem)
    return value


#: A region name, checked against botocore's partition data.
RegionName = Annotated[str, AfterValidator(_region_name)]


class StrictProps(BaseModel):
    """Base of the resources' props models."""

    # extra="forbid": a misspelt key ("engagement_metric") must fail at preview, not be ignored.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def check_failures(model: type[BaseModel], props: dict[str, Any]) -> list[CheckFailure]:
    """Validate ``props`` (user properties only), letting preview-time unknowns through.

    Unknown values are dropped before validation and any error at or below an unknown path is
    ignored: the engine calls check again with real values before create/update.
    """
    unknown = set(unknown_paths(props))
    failures: list[CheckFailure] = []
    try:
        model.model_validate(without_unknowns(props))
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(str(p) for p in err["loc"])
            if any(loc[: len(u)] == u for u in unknown):
                continue
            top, reason = describe_error(model, err)
            failures.append(CheckFailure(top, printable(reason)))
    return failures


def printable(text: str) -> str:
    """``text`` on one line: a key or value holding a newline or other control character (a
    user's typo, generated input) is shown escaped rather than breaking the engine's display."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def describe_error(model: type[BaseModel], err: Any) -> tuple[str, str]:
    """One pydantic error as (top-level property, reason naming the value and what is allowed)."""
    loc = [str(part) for part in err["loc"]]
    top = loc[0] if loc else "<root>"
    path = ".".join(loc)
    value = err.get("input")
    kind = err["type"]
    if kind == "literal_error":
        hint = case_hint(value, FEATURE_STATUSES, "values are upper case")
        reason = f"{path}: {value!r} is not one of {', '.join(FEATURE_STATUSES)}{hint}"
    elif kind == "missing":
        reason = f"{path}: is required"
    elif kind == "extra_forbidden":
        parent = ".".join(loc[:-1])
        allowed = allowed_keys(model, loc[:-1])
        hint = case_hint(loc[-1], allowed, "names are snake_case")
        where = f" in {parent}" if parent else ""
        reason = f"{path}: unknown property {loc[-1]!r}{where}{hint}; allowed: {', '.join(allowed)}"
    elif kind == "value_error":
        reason = f"{path}: {str(err['msg']).removeprefix('Value error, ')}"
    elif kind in ("model_type", "dict_type", "model_attributes_type"):
        reason = f"{path}: {value!r} must be a mapping of its options"
    elif kind.endswith("_type"):
        expected = kind.removesuffix("_type").replace("_", " ")
        reason = f"{path}: {value!r} must be a {expected}"
    else:
        reason = f"{path}: {value!r}: {err['msg']}"
    return top, reason


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _nested_model(arg)
        if found is not None:
            return found
    return None


def allowed_keys(model: type[BaseModel], parent: list[str]) -> list[str]:
    """The property names allowed at ``parent`` (a path of field names) in ``model``."""
    current: type[BaseModel] | None = model
    for part in parent:
        field = current.model_fields.get(part) if current is not None else None
        current = _nested_model(field.annotation) if field is not None else None
    if current is None:
        return []
    return sorted(name for name in current.model_fields if not name.startswith("_"))
