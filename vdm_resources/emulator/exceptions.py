"""Every error the emulator answers with, on top of moto's ``JsonRESTError``.

moto's ``JsonRESTError`` already renders what botocore's rest-json parser reads (the code in
``x-amzn-ErrorType`` and ``__type``, the text in ``message``) and moto's dispatch turns it into a
response when an operation raises it; ``render`` gives the same response for errors raised
before moto's dispatch (faults, throttling, credentials), and ``render_query_error`` the
query-protocol (XML) shape STS answers in. A SESv2 error's HTTP status comes from
botocore's sesv2 model (AWS's published contract); only AWS's common errors, which the model
does not list, name their status here (from AWS's "Common Errors" page).
"""

from __future__ import annotations

from typing import Any

import xmltodict
from moto.core.exceptions import JsonRESTError

from .._model import service_model

#: A response outside werkzeug: status, headers, body.
ErrorTriple = tuple[int, dict[str, str], str]


def _modelled_status(name: str) -> int:
    for shape in service_model().error_shapes:
        if shape.name == name:
            return int(shape.metadata["error"]["httpStatusCode"])
    raise TypeError(f"{name} is not an error of botocore's sesv2 model: give its status")


class EmulatorError(JsonRESTError):
    """An AWS-shaped error; the subclass name is the AWS error code unless ``error_type`` says.

    ``class X(EmulatorError): ...`` takes X's HTTP status from the sesv2 model;
    ``class X(EmulatorError, status=...)`` is for AWS's common errors the model leaves out.
    """

    error_type_name = "BadRequestException"

    def __init_subclass__(
        cls, *, status: int | None = None, error_type: str | None = None, **kwargs: Any
    ) -> None:
        super().__init_subclass__(**kwargs)
        cls.error_type_name = error_type or cls.__name__
        cls.code = status if status is not None else _modelled_status(cls.error_type_name)

    def __init__(self, message: str) -> None:
        super().__init__(self.error_type_name, message)


class BadRequestException(EmulatorError): ...


class AlreadyExistsException(EmulatorError): ...


class NotFoundException(EmulatorError): ...


class TooManyRequestsException(EmulatorError): ...


class InternalServiceErrorException(EmulatorError):
    """BatchGetMetricData's modelled 5xx error."""


class InternalFailure(EmulatorError, status=500):
    """AWS's generic 5xx, for operations whose model declares no 5xx error."""


class UnknownOperationException(EmulatorError, status=404): ...


class NotImplementedOperation(EmulatorError, status=501, error_type="NotImplemented"):
    """An operation botocore knows but neither moto nor the emulator implements."""


class ExpiredTokenException(EmulatorError, status=403): ...


class UnrecognizedClientException(EmulatorError, status=403): ...


def render(error: JsonRESTError) -> ErrorTriple:
    """The response moto's dispatch would give for ``error``."""
    return int(error.code), dict(error.get_headers()), error.get_body()


def render_query_error(status: int, code: str, message: str) -> ErrorTriple:
    """An STS (query protocol) error as AWS sends it, for errors found before moto's STS
    dispatch; inside it, moto renders STS's errors itself."""
    body = xmltodict.unparse(
        {
            "ErrorResponse": {
                "@xmlns": "https://sts.amazonaws.com/doc/2011-06-15/",
                "Error": {"Type": "Sender", "Code": code, "Message": message},
            }
        }
    )
    return status, {"Content-Type": "text/xml"}, body
