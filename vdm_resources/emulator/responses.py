"""moto's ``SESV2Response`` extended with the VDM operations and AWS-faithful errors.

moto finds the handler by turning the operation name matched from method + URI into a
snake_case method name, so adding an operation is adding a method here. ``handle`` validates
the input against botocore's model before moto dispatches, and the handlers here read the
validated ``self.params``; moto's inherited handlers (List/Delete configuration sets and the
rest) still read the raw body themselves, but only after the same validation passed.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from moto.core.request import Request
from moto.core.routing import ServiceOperationRouter, get_service_router
from moto.sesv2.responses import SESV2Response
from werkzeug.exceptions import MethodNotAllowed, NotFound

from .._model import operation_model
from .exceptions import (
    BadRequestException,
    EmulatorError,
    NotImplementedOperation,
    UnknownOperationException,
    render,
)
from .models import VdmSESV2Backend, vdm_backends
from .settings import Settings
from .signing import account_of, region_from_headers
from .validation import extract_input, validate_input

#: Operations the emulator adds to moto's SESv2 (used by the pin test and the docs).
ADDED_OPERATIONS = (
    "GetAccount",
    "PutAccountVdmAttributes",
    "PutConfigurationSetVdmOptions",
    "ListRecommendations",
    "BatchGetMetricData",
)


@cache
def operation_router() -> ServiceOperationRouter:
    return get_service_router("sesv2")


def match_operation(request: Request) -> tuple[str, dict[str, Any]] | None:
    """The operation name and URI labels for a request, or None if no operation matches."""
    try:
        operation, params = operation_router().match(request)
    except (NotFound, MethodNotAllowed, NotImplementedError):
        # NotImplementedError: moto found another protocol's request (a form POST, say).
        return None
    return operation.name, params


class VdmSESV2Response(SESV2Response):
    """Handlers for the operations moto lacks, plus AWS-style configuration set errors."""

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self.params: dict[str, Any] = {}

    @property
    def sesv2_backend(self) -> VdmSESV2Backend:
        return vdm_backends[self.current_account][self.region]

    def get_region_from_url(self, request: Any, full_url: str) -> str:
        return region_from_headers(request.headers)

    def get_current_account(self) -> str:
        # The same rule the server used to pick the rate-limit bucket and log the call.
        return account_of(self.headers)

    def _get_action_from_method_and_request_uri(self, request: Request) -> str:
        matched = match_operation(request)
        if matched is None:
            return None  # type: ignore[return-value]
        self.uri_match = matched[1]
        return matched[0]

    def handle(self, request: Request) -> tuple[int, dict[str, Any], Any]:
        """Validate, then run the operation; AWS-shaped errors come back as responses."""
        try:
            # moto decodes the body unconditionally; refuse garbage as AWS would (400).
            request.get_data(cache=True).decode("utf-8")
        except UnicodeDecodeError:
            return render(BadRequestException("Request body is not valid UTF-8"))
        self.setup_class(request)
        operation = self._get_action()
        if not operation:
            return render(
                UnknownOperationException(
                    f"No SESv2 operation matches {request.method} {request.path}"
                )
            )
        try:
            self.load_input(operation)
            status, headers, body = self.call_action()
        except EmulatorError as exc:
            return render(exc)
        except NotImplementedError:
            return render(
                NotImplementedOperation(f"{operation} is not implemented by the emulator")
            )
        return int(status), dict(headers), body

    def load_input(self, operation: str) -> dict[str, Any]:
        """Parse and validate the request against botocore's model; BadRequest on failure."""
        self._get_action()  # fills self.uri_match (path labels) as a side effect
        op = operation_model(operation)
        params = extract_input(
            op,
            body=self.raw_body if isinstance(self.raw_body, (bytes, str)) else b"",
            uri_params=self.uri_match,
            query={k: v for k, v in self.normalized_request.args.items()},
            headers=self.normalized_request.headers,
        )
        validate_input(op, params)
        self.params = params
        return params

    # -- account

    def get_account(self) -> str:
        return json.dumps(self.sesv2_backend.get_account())

    def put_account_vdm_attributes(self) -> str:
        self.sesv2_backend.put_account_vdm_attributes(
            self.params["VdmAttributes"], keep_omitted=self.settings.account_put == "merge"
        )
        return "{}"

    # -- configuration sets

    def create_configuration_set(self) -> str:
        self.sesv2_backend.create_configuration_set_from_request(self.params)
        return "{}"

    def get_configuration_set(self) -> str:
        name = self.params["ConfigurationSetName"]
        return json.dumps(self.sesv2_backend.describe_configuration_set(name))

    def put_configuration_set_vdm_options(self) -> str:
        self.sesv2_backend.put_configuration_set_vdm_options(
            self.params["ConfigurationSetName"], self.params.get("VdmOptions")
        )
        return "{}"

    # -- VDM data

    def list_recommendations(self) -> str:
        page, token = self.sesv2_backend.list_recommendations(
            self.params.get("Filter"), self.params.get("PageSize"), self.params.get("NextToken")
        )
        reply: dict[str, Any] = {"Recommendations": page}
        if token is not None:
            reply["NextToken"] = token
        return json.dumps(reply)

    def batch_get_metric_data(self) -> str:
        results, errors = self.sesv2_backend.batch_get_metric_data(self.params["Queries"])
        return json.dumps({"Results": results, "Errors": errors})
