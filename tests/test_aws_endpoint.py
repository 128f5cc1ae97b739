"""Only AWS's NotFoundException means "gone"; an endpoint that is not SESv2 is an error saying so.

Over HTTP against the emulator: a path prefix it does not serve answers 404
``UnknownOperationException``, exactly what a proxy or a wrong ``AWS_ENDPOINT_URL_SESV2`` gives.
Taking that 404 for "not found" would make ``refresh`` drop every configuration set's options
from state and ``destroy`` report success while AWS keeps them.
"""

from __future__ import annotations

import socket
from typing import Any

import pytest

from vdm_resources import _aws
from vdm_resources.configuration_set_vdm_options import ConfigurationSetVdmOptionsProvider
from vdm_resources.emulator.testing import RunningEmulator
from vdm_resources.errors import VdmApiError, VdmNotFoundError

ENDPOINT_VARS = ("AWS_ENDPOINT_URL_SESV2", "AWS_ENDPOINT_URL")


def point_at(monkeypatch: pytest.MonkeyPatch, var: str, url: str) -> None:
    for name in ENDPOINT_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(var, url)
    _aws.reset_clients()


def test_real_not_found_is_not_found(aws_emulator: RunningEmulator) -> None:
    with pytest.raises(VdmNotFoundError):
        _aws.call("GetConfigurationSet", "us-east-1", {"ConfigurationSetName": "nope"}, context="c")


def test_404_without_not_found_exception_is_a_misrouted_endpoint(
    aws_emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = f"{aws_emulator.url}/wrong-prefix"
    point_at(monkeypatch, "AWS_ENDPOINT_URL_SESV2", wrong)
    with pytest.raises(VdmApiError) as info:
        _aws.call("GetConfigurationSet", "us-east-1", {"ConfigurationSetName": "x"}, context="c")
    assert not isinstance(info.value, VdmNotFoundError)
    message = str(info.value)
    assert message.startswith("c: GetConfigurationSet in us-east-1 failed: ")
    assert "answered HTTP 404 without AWS's NotFoundException" in message
    assert "(UnknownOperationException)" in message
    assert "misrouted endpoint" in message
    assert f"endpoint {wrong}" in message
    assert "AWS_ENDPOINT_URL_SESV2 is set" in message
    assert info.value.code == "UnknownOperationException"
    # A wrong address does not heal by retrying: one attempt.
    assert aws_emulator.control.requests()["total"] == 1


def test_misrouted_message_names_the_global_variable_and_hides_userinfo(
    aws_emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    host = aws_emulator.url.split("://", 1)[1]
    point_at(monkeypatch, "AWS_ENDPOINT_URL", f"http://user:s3cr3t@{host}/wrong-prefix")
    with pytest.raises(VdmApiError) as info:
        _aws.call("GetAccount", "us-east-1", context="c")
    message = str(info.value)
    assert not isinstance(info.value, VdmNotFoundError)
    assert f"endpoint http://{host}/wrong-prefix" in message
    assert "s3cr3t" not in message and "user" not in message
    assert "AWS_ENDPOINT_URL is set (AWS_ENDPOINT_URL_SESV2 is not)" in message


def test_provider_read_keeps_the_resource_on_a_misrouted_endpoint(
    aws_emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What `pulumi refresh` does: a read that raises keeps the resource; one that answers
    "gone" drops it from state."""
    aws_emulator.control.seed(
        {"regions": {"us-east-1": {"configuration_sets": [{"ConfigurationSetName": "m"}]}}}
    )
    props: dict[str, Any] = {
        "configuration_set_name": "m",
        "region": "us-east-1",
        "dashboard_options": {"engagement_metrics": "ENABLED"},
        "guardian_options": None,
    }
    point_at(monkeypatch, "AWS_ENDPOINT_URL_SESV2", f"{aws_emulator.url}/wrong-prefix")
    with pytest.raises(Exception, match="without AWS's NotFoundException"):
        ConfigurationSetVdmOptionsProvider().read("m", props)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_refused_connection_names_the_endpoint(
    aws_emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    point_at(monkeypatch, "AWS_ENDPOINT_URL_SESV2", url)
    monkeypatch.setenv(_aws.MAX_ATTEMPTS_ENV, "2")
    with pytest.raises(VdmApiError) as info:
        _aws.call("GetAccount", "us-east-1", context="c", sleep=lambda s: None)
    message = str(info.value)
    assert message.startswith("c: GetAccount in us-east-1 failed after 2 attempts: ")
    assert f"could not connect to endpoint {url}" in message
    assert "AWS_ENDPOINT_URL_SESV2 is set" in message
    assert info.value.code == "EndpointConnectionError"
