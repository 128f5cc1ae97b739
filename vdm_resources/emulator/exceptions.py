"""Errors the emulator answers with, shaped the way botocore's rest-json parser reads them.

botocore takes the error code from the ``x-amzn-ErrorType`` header (falling back to the
body's ``__type``/``code``) and the message from the body's ``message``; the HTTP status
decides whether the standard retry mode treats the error as throttling or transient.
Subclassing moto's ``JsonRESTError`` lets moto's own ``call_action`` turn these into
responses when they are raised inside an operation handler.
"""

from __future__ import annotations

import json
import uuid
from typing import ClassVar

from moto.core.exceptions import JsonRESTError

#: What a WSGI-independent error response is: status, headers, body.
ErrorTriple = tuple[int, dict[str, str], str]


class EmulatorError(JsonRESTError):
    """Base for every AWS-shaped error the emulator produces."""

    #: HTTP status (werkzeug's ``HTTPException.code``).
    code = 400
    #: The AWS error code botocore exposes as ``Error.Code``.
    error_type_name: ClassVar[str] = "BadRequestException"

    def __init__(self, message: str) -> None:
        super().__init__(self.error_type_name, message)

    def triple(self) -> ErrorTriple:
        """Render outside moto's dispatch (faults, throttling, validation happen before it)."""
        return error_response(self.code, self.error_type_name, self.message)


class BadRequestException(EmulatorError):
    code = 400
    error_type_name = "BadRequestException"


class AlreadyExistsException(EmulatorError):
    code = 400
    error_type_name = "AlreadyExistsException"


class NotFoundException(EmulatorError):
    code = 404
    error_type_name = "NotFoundException"


class TooManyRequestsException(EmulatorError):
    code = 429
    error_type_name = "TooManyRequestsException"


class InternalFailure(EmulatorError):
    """The generic AWS 5xx code, used for operations whose model declares no 5xx shape."""

    code = 500
    error_type_name = "InternalFailure"


class InternalServiceErrorException(EmulatorError):
    """BatchGetMetricData's modelled 5xx error."""

    code = 500
    error_type_name = "InternalServiceErrorException"


class UnknownOperationException(EmulatorError):
    code = 404
    error_type_name = "UnknownOperationException"


class NotImplementedOperation(EmulatorError):
    """An operation botocore knows but neither moto nor the emulator implements."""

    code = 501
    error_type_name = "NotImplemented"


def error_response(status: int, error_type: str, message: str) -> ErrorTriple:
    """Build an AWS JSON error without raising (used by the WSGI layer)."""
    headers = {
        "Content-Type": "application/json",
        "x-amzn-ErrorType": error_type,
        "x-amzn-RequestId": str(uuid.uuid4()),
    }
    return status, headers, json.dumps({"__type": error_type, "message": message})
