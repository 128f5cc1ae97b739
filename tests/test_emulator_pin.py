"""The extension still fits the installed moto/botocore (run first when bumping the pin)."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import moto
import pytest
import tomllib
from moto.core.utils import camelcase_to_underscores
from moto.sesv2.models import SESV2Backend
from moto.sesv2.responses import SESV2Response
from werkzeug.test import EnvironBuilder

from vdm_resources._model import operation_model
from vdm_resources.emulator.app import EmulatorRequest
from vdm_resources.emulator.models import VdmSESV2Backend, vdm_backends
from vdm_resources.emulator.responses import ADDED_OPERATIONS, VdmSESV2Response, match_operation

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
KEPT_FROM_MOTO = (
    "CreateConfigurationSet",
    "GetConfigurationSet",
    "DeleteConfigurationSet",
    "ListConfigurationSets",
)


def pinned_moto() -> str:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    specs = [
        spec
        for group in project.get("optional-dependencies", {}).values()
        for spec in group
        if spec.replace("[server]", "").startswith("moto==")
    ]
    assert specs, "pyproject.toml should pin moto with =="
    return specs[0].split("==", 1)[1]


def test_installed_moto_is_the_pinned_one() -> None:
    assert importlib.metadata.version("moto") == moto.__version__ == pinned_moto()


def test_backend_and_response_extend_moto() -> None:
    assert issubclass(VdmSESV2Backend, SESV2Backend)
    assert issubclass(VdmSESV2Response, SESV2Response)
    backend = vdm_backends["123456789012"]["us-east-1"]
    assert isinstance(backend, VdmSESV2Backend)


@pytest.mark.parametrize("operation", ADDED_OPERATIONS)
def test_added_operation_resolves(operation: str) -> None:
    """Route the model's own method+URI and find the handler moto's dispatch would call."""
    http = operation_model(operation).http
    path = http["requestUri"].replace("{ConfigurationSetName}", "my-set")
    request = EmulatorRequest(EnvironBuilder(method=http["method"], path=path).get_environ())
    matched = match_operation(request)
    assert matched is not None and matched[0] == operation
    handler = camelcase_to_underscores(operation)
    assert callable(getattr(VdmSESV2Response, handler))
    assert not hasattr(SESV2Response, handler), (
        f"moto now implements {operation}; check whether the emulator's version is still needed"
    )


@pytest.mark.parametrize("operation", KEPT_FROM_MOTO)
def test_configuration_set_operations_still_exist_in_moto(operation: str) -> None:
    assert callable(getattr(SESV2Response, camelcase_to_underscores(operation)))
