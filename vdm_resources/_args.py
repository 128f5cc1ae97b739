"""Typed argument classes (pulumi-aws style ``...Args``), as an alternative to plain dicts.

They exist for the user's editor and type checker; at run time they only catch what can be
caught in the program before anything is registered (a misspelt field, a wrong-case value), and
say so in the package's one line instead of pydantic's multi-line traceback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from ._model import FEATURE_STATUSES, FeatureStatus
from .errors import InputError, case_hint

if TYPE_CHECKING:
    Status = pulumi.Input[FeatureStatus] | None
    Str = pulumi.Input[str]
    OptionalStr = pulumi.Input[str] | None
    OptionalInt = pulumi.Input[int] | None
else:  # pydantic only stores them: Outputs are checked by the provider at preview
    Status = Str = OptionalStr = OptionalInt = Any


class ArgsModel(BaseModel):
    # Inputs may be Outputs (arbitrary types); a misspelt field fails in the program at once.
    model_config = ConfigDict(arbitrary_types_allowed=True, extra="forbid", frozen=True)

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise InputError(_describe(type(self), exc)) from None


class StatusArgs(ArgsModel):
    """An option block: every field is a FeatureStatus."""

    @field_validator("*", mode="before")
    @classmethod
    def _feature_status(cls, value: Any) -> Any:
        # Every field of these classes is a FeatureStatus; Outputs are checked at preview.
        if isinstance(value, str) and value not in FEATURE_STATUSES:
            hint = case_hint(value, FEATURE_STATUSES, "values are upper case")
            raise ValueError(f"{value!r} is not one of {', '.join(FEATURE_STATUSES)}{hint}")
        return value


class AssumeRoleArgs(ArgsModel):
    """Typed form of ``assume_role`` (pulumi-aws's field names); dicts work too. Checked (ARN
    form, duration bounds) by the provider at preview."""

    role_arn: Str
    session_name: OptionalStr = None
    external_id: OptionalStr = None
    duration_seconds: OptionalInt = None


def _describe(cls: type[BaseModel], exc: ValidationError) -> str:
    allowed = ", ".join(cls.model_fields)
    reasons = []
    for err in exc.errors():
        name = ".".join(str(p) for p in err["loc"])
        if err["type"] == "extra_forbidden":
            hint = case_hint(name, list(cls.model_fields), "names are snake_case")
            reasons.append(f"unknown field {name!r}{hint}; allowed: {allowed}")
        else:
            reasons.append(f"{name}: {str(err['msg']).removeprefix('Value error, ')}")
    return f"{cls.__name__}: {'; '.join(reasons)}"


def plain(value: Any) -> Any:
    """Args classes become dicts; Outputs and plain values pass through."""
    if isinstance(value, BaseModel):
        return {k: v for k, v in value.model_dump().items() if v is not None}
    return value
