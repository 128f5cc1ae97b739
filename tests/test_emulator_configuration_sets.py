"""Configuration sets: moto's CRUD kept working, PutConfigurationSetVdmOptions added."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from vdm_resources.emulator.testing import RunningEmulator, error_details

ENGAGEMENT_ON = {"DashboardOptions": {"EngagementMetrics": "ENABLED"}}
FULL_OPTIONS = {
    "DashboardOptions": {"EngagementMetrics": "DISABLED"},
    "GuardianOptions": {"OptimizedSharedDelivery": "ENABLED"},
}


def without_metadata(reply: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in reply.items() if k != "ResponseMetadata"}


def test_create_get_list_delete(sesv2: Any) -> None:
    sesv2.create_configuration_set(
        ConfigurationSetName="marketing",
        TrackingOptions={"CustomRedirectDomain": "t.example.com"},
        SendingOptions={"SendingEnabled": True},
        Tags=[{"Key": "team", "Value": "growth"}],
        VdmOptions=ENGAGEMENT_ON,
    )
    sesv2.create_configuration_set(ConfigurationSetName="transactional")
    assert without_metadata(sesv2.get_configuration_set(ConfigurationSetName="marketing")) == {
        "ConfigurationSetName": "marketing",
        "TrackingOptions": {"CustomRedirectDomain": "t.example.com"},
        "SendingOptions": {"SendingEnabled": True},
        "Tags": [{"Key": "team", "Value": "growth"}],
        "VdmOptions": ENGAGEMENT_ON,
    }
    assert without_metadata(sesv2.get_configuration_set(ConfigurationSetName="transactional")) == {
        "ConfigurationSetName": "transactional",
        "Tags": [],
    }
    assert sorted(sesv2.list_configuration_sets()["ConfigurationSets"]) == [
        "marketing",
        "transactional",
    ]
    sesv2.delete_configuration_set(ConfigurationSetName="marketing")
    assert sesv2.list_configuration_sets()["ConfigurationSets"] == ["transactional"]


def test_put_vdm_options_replaces_whole_value(sesv2: Any) -> None:
    sesv2.create_configuration_set(ConfigurationSetName="cs", VdmOptions=FULL_OPTIONS)
    sesv2.put_configuration_set_vdm_options(ConfigurationSetName="cs", VdmOptions=ENGAGEMENT_ON)
    assert sesv2.get_configuration_set(ConfigurationSetName="cs")["VdmOptions"] == ENGAGEMENT_ON
    sesv2.put_configuration_set_vdm_options(ConfigurationSetName="cs", VdmOptions=FULL_OPTIONS)
    assert sesv2.get_configuration_set(ConfigurationSetName="cs")["VdmOptions"] == FULL_OPTIONS


def test_put_without_vdm_options_clears_them(sesv2: Any) -> None:
    sesv2.create_configuration_set(ConfigurationSetName="cs", VdmOptions=FULL_OPTIONS)
    sesv2.put_configuration_set_vdm_options(ConfigurationSetName="cs")
    reply = sesv2.get_configuration_set(ConfigurationSetName="cs")
    assert "VdmOptions" not in reply
    assert reply["ConfigurationSetName"] == "cs"


def test_put_vdm_options_on_unknown_set_is_not_found(sesv2: Any) -> None:
    with pytest.raises(ClientError) as exc:
        sesv2.put_configuration_set_vdm_options(
            ConfigurationSetName="ghost", VdmOptions=ENGAGEMENT_ON
        )
    code, status, message = error_details(exc.value)
    assert (code, status) == ("NotFoundException", 404)
    assert "ghost" in message


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.get_configuration_set(ConfigurationSetName="ghost"),
        lambda c: c.delete_configuration_set(ConfigurationSetName="ghost"),
    ],
    ids=["get", "delete"],
)
def test_unknown_set_is_not_found(sesv2: Any, call: Any) -> None:
    with pytest.raises(ClientError) as exc:
        call(sesv2)
    code, status, message = error_details(exc.value)
    assert (code, status) == ("NotFoundException", 404)
    assert "ghost" in message


def test_duplicate_create_is_already_exists(sesv2: Any) -> None:
    sesv2.create_configuration_set(ConfigurationSetName="cs")
    with pytest.raises(ClientError) as exc:
        sesv2.create_configuration_set(ConfigurationSetName="cs")
    assert error_details(exc.value)[:2] == ("AlreadyExistsException", 400)


@pytest.mark.parametrize(
    "name", ["has space", "dots.not.allowed", "x" * 65, "", "slash/inside", "ünïcode"]
)
def test_invalid_names_are_rejected_in_body_and_path(sesv2_raw: Any, name: str) -> None:
    calls = [lambda: sesv2_raw.create_configuration_set(ConfigurationSetName=name)]
    if name:  # an empty path label matches no operation at all
        calls.append(lambda: sesv2_raw.get_configuration_set(ConfigurationSetName=name))
        calls.append(
            lambda: sesv2_raw.put_configuration_set_vdm_options(
                ConfigurationSetName=name, VdmOptions=ENGAGEMENT_ON
            )
        )
    for call in calls:
        with pytest.raises(ClientError) as exc:
            call()
        code, status, message = error_details(exc.value)
        assert (code, status) == ("BadRequestException", 400), message
        assert "ConfigurationSetName" in message


def test_longest_valid_name_is_accepted(sesv2: Any) -> None:
    name = "A-z_0" + "9" * 59
    sesv2.create_configuration_set(ConfigurationSetName=name)
    assert sesv2.get_configuration_set(ConfigurationSetName=name)["ConfigurationSetName"] == name


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"DashboardOptions": {"EngagementMetrics": "YES"}}, "EngagementMetrics"),
        ({"GuardianOptions": {"OptimizedSharedDelivery": True}}, "OptimizedSharedDelivery"),
        ({"DashboardOptions": "ENABLED"}, "VdmOptions.DashboardOptions"),
    ],
)
def test_vdm_options_validation_names_the_field(
    emulator: RunningEmulator, sesv2: Any, options: dict[str, Any], field: str
) -> None:
    sesv2.create_configuration_set(ConfigurationSetName="cs", VdmOptions=ENGAGEMENT_ON)
    # Raw HTTP: boto3 cannot even serialize a string where a structure belongs.
    status, headers, body = emulator.raw_request(
        "PUT", "/v2/email/configuration-sets/cs/vdm-options", {"VdmOptions": options}
    )
    assert status == 400
    assert headers["x-amzn-errortype"] == "BadRequestException"
    assert field in body["message"]
    assert sesv2.get_configuration_set(ConfigurationSetName="cs")["VdmOptions"] == ENGAGEMENT_ON


@pytest.mark.parametrize("payload", [b"{not json", b"[1, 2]", b"\xff\xfe"])
def test_unparseable_body_is_bad_request(emulator: RunningEmulator, payload: bytes) -> None:
    status, headers, body = emulator.raw_request("POST", "/v2/email/configuration-sets", payload)
    assert (status, headers["x-amzn-errortype"]) == (400, "BadRequestException")
    assert "body" in body["message"]


def test_null_vdm_options_counts_as_absent(emulator: RunningEmulator, sesv2: Any) -> None:
    sesv2.create_configuration_set(ConfigurationSetName="cs", VdmOptions=FULL_OPTIONS)
    status, _, _ = emulator.raw_request(
        "PUT", "/v2/email/configuration-sets/cs/vdm-options", {"VdmOptions": None}
    )
    assert status == 200
    assert "VdmOptions" not in sesv2.get_configuration_set(ConfigurationSetName="cs")
