"""Server-side input validation driven by botocore's SESv2 service model.

boto3 only checks required members, types and minimums on the client, and only when
``parameter_validation`` is on; AWS additionally enforces maximums, enum values and name
patterns. Reusing botocore's ``ParamValidator`` (and its message format, which names the
offending field) keeps the emulator's rules tied to the installed model instead of a
hand-kept copy, so a model update changes both sides together.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any, ClassVar

from botocore import validate as _botocore_validate
from botocore.model import OperationModel, Shape
from botocore.utils import parse_timestamp
from werkzeug.datastructures import Headers

from .exceptions import BadRequestException

# botocore-stubs type only the public surface; the extension hooks into private methods.
_ParamValidator: Any = _botocore_validate.ParamValidator
_ValidationErrors: Any = _botocore_validate.ValidationErrors

#: AWS: "The name can contain up to 64 alphanumeric characters, including letters, numbers,
#: hyphens (-) and underscores (_) only."
CONFIGURATION_SET_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class _Errors(_ValidationErrors):
    """botocore's report plus the constraint kinds botocore's client never checks."""

    def _format_error(self, error: tuple[str, str, dict[str, Any]]) -> str:
        error_type, name, additional = error
        name = self._get_name(name)
        if error_type == "invalid max length":
            return (
                f"Invalid length for parameter {name}, value: {additional['param']}, "
                f"valid max length: {additional['max_allowed']}"
            )
        if error_type == "invalid max range":
            return (
                f"Invalid value for parameter {name}, value: {additional['param']}, "
                f"valid max value: {additional['max_allowed']}"
            )
        if error_type == "invalid enum":
            allowed = ", ".join(additional["allowed"])
            return (
                f"Invalid value for parameter {name}, value: {additional['param']}, "
                f"valid values: {allowed}"
            )
        if error_type == "invalid name":
            return (
                f"Invalid value for parameter {name}, value: {additional['param']}: "
                "a configuration set name must be 1 to 64 characters of letters, digits, "
                "'-' and '_'"
            )
        return str(super()._format_error(error))

    def messages(self) -> list[str]:
        """Messages in report order, skipping unknown members (AWS ignores those)."""
        return [self._format_error(e) for e in self._errors if e[0] != "unknown field"]


class ModelValidator(_ParamValidator):
    """``ParamValidator`` extended with max, enum and configuration-set-name checks."""

    # botocore only descends into list members that carry a constraint it knows about.
    VALIDATED_METADATA_ATTRS: ClassVar[set[str]] = {
        *_ParamValidator.VALIDATED_METADATA_ATTRS,
        "max",
        "enum",
    }

    def validate(self, params: Any, shape: Shape) -> _Errors:
        errors = _Errors()
        self._validate(params, shape, errors, name="")
        return errors

    def _validate(self, params: Any, shape: Shape, errors: Any, name: str) -> None:
        super()._validate(params, shape, errors, name)
        self._check_extra(params, shape, errors, name)

    def _validate_timestamp(self, param: Any, shape: Shape, errors: Any, name: str) -> None:
        # JSON true/false would pass botocore's check as the epoch numbers 1 and 0.
        if isinstance(param, bool):
            errors.report(
                name, "invalid type", param=param, valid_types=["timestamp", "epoch seconds"]
            )
            return
        super()._validate_timestamp(param, shape, errors, name)

    def _check_extra(self, params: Any, shape: Shape, errors: Any, name: str) -> None:
        maximum = shape.metadata.get("max")
        if shape.type_name in ("integer", "long") and isinstance(params, bool):
            # bool is an int subclass, so botocore would take JSON true as 1.
            errors.report(name, "invalid type", param=params, valid_types=[str(int)])
        elif shape.type_name == "string" and isinstance(params, str):
            if maximum is not None and len(params) > maximum:
                errors.report(name, "invalid max length", param=params, max_allowed=maximum)
            enum = shape.metadata.get("enum")
            if enum and params not in enum:
                errors.report(name, "invalid enum", param=params, allowed=list(enum))
            if name.rsplit(".", 1)[-1] == "ConfigurationSetName" and (
                not CONFIGURATION_SET_NAME_RE.match(params)
            ):
                errors.report(name, "invalid name", param=params)
        elif shape.type_name in ("list", "map") and isinstance(params, (list, tuple, dict)):
            minimum = shape.metadata.get("min")
            if shape.type_name == "map" and minimum is not None and len(params) < minimum:
                # botocore range-checks lists but not maps.
                errors.report(name, "invalid length", param=params, min_allowed=minimum)
            if maximum is not None and len(params) > maximum:
                errors.report(name, "invalid max length", param=params, max_allowed=maximum)
        elif (
            shape.type_name in ("integer", "long", "double", "float")
            and isinstance(params, (int, float))
            and not isinstance(params, bool)
            and maximum is not None
            and params > maximum
        ):
            errors.report(name, "invalid max range", param=params, max_allowed=maximum)


def strip_nulls(value: Any) -> Any:
    """AWS treats a JSON ``null`` member as absent; botocore's validator would call it a type
    error, so nulls are dropped before validating."""
    if isinstance(value, dict):
        return {k: strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [strip_nulls(v) for v in value]
    return value


def extract_input(
    op: OperationModel,
    *,
    body: bytes | str,
    uri_params: Mapping[str, str],
    query: Mapping[str, str],
    headers: Mapping[str, str] | Headers,
) -> dict[str, Any]:
    """Collect the operation's input members from where the rest-json protocol puts them.

    Values keep their wire types (no coercion) so that a string where an integer belongs is
    reported rather than silently converted.
    """
    shape = op.input_shape
    if shape is None:
        return {}
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadRequestException("Request body is not valid UTF-8") from exc
    parsed: dict[str, Any] = {}
    if body.strip():
        try:
            loaded = json.loads(body)
        except json.JSONDecodeError as exc:
            raise BadRequestException(f"Request body is not valid JSON: {exc.msg}") from exc
        if not isinstance(loaded, dict):
            raise BadRequestException("Request body must be a JSON object")
        parsed.update(loaded)
    for member_name, member in shape.members.items():
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", member_name)
        if location == "uri" and wire_name in uri_params:
            parsed[member_name] = uri_params[wire_name]
        elif location == "querystring" and wire_name in query:
            parsed[member_name] = query[wire_name]
        elif location == "header" and wire_name in headers:
            parsed[member_name] = headers[wire_name]
    return strip_nulls(parsed)


def validation_messages(op: OperationModel, params: Mapping[str, Any]) -> list[str]:
    shape = op.input_shape
    if shape is None:
        return []
    return ModelValidator().validate(dict(params), shape).messages()


def validate_input(op: OperationModel, params: Mapping[str, Any]) -> None:
    """Raise ``BadRequestException`` naming every invalid field, like AWS's 400s."""
    messages = validation_messages(op, params)
    if messages:
        raise BadRequestException("; ".join(messages))


def validate_configuration_set_name(name: Any, field: str = "ConfigurationSetName") -> str:
    """The same name rule for places the model cannot reach (seeds, control endpoint)."""
    if not isinstance(name, str) or not CONFIGURATION_SET_NAME_RE.match(name):
        raise BadRequestException(
            f"Invalid value for parameter {field}, value: {name}: a configuration set name "
            "must be 1 to 64 characters of letters, digits, '-' and '_'"
        )
    return name


def to_datetime(value: Any, field: str) -> datetime:
    """A timestamp member as AWS reads it (epoch seconds or ISO 8601), in UTC."""
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = parse_timestamp(value)
        except (TypeError, ValueError) as exc:
            raise BadRequestException(f"Invalid timestamp for parameter {field}: {value}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)
