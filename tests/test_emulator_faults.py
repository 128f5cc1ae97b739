"""Fault injection: each kind, counts, wildcard, clearing, and how faults are logged."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError

from vdm_resources.emulator.client import ControlError
from vdm_resources.emulator.testing import RunningEmulator, error_details


def test_throttle_fault_fails_exactly_n_calls(emulator: RunningEmulator, sesv2: Any) -> None:
    emulator.control.add_fault("GetAccount", "throttle", count=2)
    for _ in range(2):
        with pytest.raises(ClientError) as exc:
            sesv2.get_account()
        code, status, message = error_details(exc.value)
        assert (code, status) == ("TooManyRequestsException", 429)
        assert message == "Rate exceeded"
    sesv2.get_account()
    log = emulator.control.requests()
    assert log["calls"] == {"GetAccount": 3}
    assert log["throttled"] == {"GetAccount": 2}
    assert log["faulted"] == {"GetAccount": 2}
    assert [e["outcome"] for e in log["log"]] == ["fault:throttle", "fault:throttle", "ok"]
    assert emulator.control.faults() == []


@pytest.mark.parametrize(
    ("operation", "call", "expected_code"),
    [
        ("GetAccount", lambda c: c.get_account(), "InternalFailure"),
        ("ListRecommendations", lambda c: c.list_recommendations(), "InternalFailure"),
        (
            "BatchGetMetricData",
            lambda c: c.batch_get_metric_data(
                Queries=[
                    {
                        "Id": "q",
                        "Namespace": "VDM",
                        "Metric": "SEND",
                        "Dimensions": {"ISP": "x"},
                        "StartDate": 0,
                        "EndDate": 86400,
                    }
                ]
            ),
            "InternalServiceErrorException",
        ),
    ],
)
def test_error_fault_is_a_500(
    emulator: RunningEmulator, sesv2: Any, operation: str, call: Any, expected_code: str
) -> None:
    emulator.control.add_fault(operation, "error")
    with pytest.raises(ClientError) as exc:
        call(sesv2)
    assert error_details(exc.value)[:2] == (expected_code, 500)
    call(sesv2)
    assert emulator.control.requests()["statuses"][operation] == {"500": 1, "200": 1}


def test_error_fault_does_not_touch_state(emulator: RunningEmulator, sesv2: Any) -> None:
    emulator.control.add_fault("PutAccountVdmAttributes", "error")
    with pytest.raises(ClientError):
        sesv2.put_account_vdm_attributes(VdmAttributes={"VdmEnabled": "ENABLED"})
    assert "VdmAttributes" not in sesv2.get_account()


def test_drop_fault_closes_connection_without_response(
    emulator: RunningEmulator, sesv2: Any
) -> None:
    emulator.control.add_fault("GetAccount", "drop")
    with pytest.raises(ConnectionClosedError):
        sesv2.get_account()
    sesv2.get_account()
    log = emulator.control.requests()
    assert log["statuses"]["GetAccount"] == {"dropped": 1, "200": 1}
    assert log["log"][0]["status"] is None
    assert log["log"][0]["outcome"] == "fault:drop"


def test_latency_fault_delays_then_answers(emulator: RunningEmulator, sesv2: Any) -> None:
    emulator.control.add_fault("GetAccount", "latency", count=1, seconds=0.3)
    started = time.monotonic()
    sesv2.get_account()
    assert time.monotonic() - started >= 0.3
    log = emulator.control.requests()
    assert log["faulted"] == {"GetAccount": 1}
    assert log["log"][0]["outcome"] == "fault:latency"
    assert log["log"][0]["status"] == 200


def test_wildcard_applies_to_any_operation_after_specific_ones(
    emulator: RunningEmulator, sesv2: Any
) -> None:
    emulator.control.add_fault("*", "error", count=2)
    emulator.control.add_fault("GetAccount", "throttle", count=1)
    with pytest.raises(ClientError) as first:
        sesv2.get_account()
    assert error_details(first.value)[0] == "TooManyRequestsException"
    with pytest.raises(ClientError) as second:
        sesv2.get_account()
    assert error_details(second.value)[0] == "InternalFailure"
    with pytest.raises(ClientError) as third:
        sesv2.list_recommendations()
    assert error_details(third.value)[0] == "InternalFailure"
    sesv2.list_recommendations()


def test_clear_faults(emulator: RunningEmulator, sesv2: Any) -> None:
    emulator.control.add_fault("GetAccount", "error", count=5)
    emulator.control.add_fault("ListRecommendations", "error", count=5)
    emulator.control.clear_faults("GetAccount")
    assert [f["operation"] for f in emulator.control.faults()] == ["ListRecommendations"]
    sesv2.get_account()
    emulator.control.clear_faults()
    assert emulator.control.faults() == []
    sesv2.list_recommendations()


def test_faults_apply_before_validation(emulator: RunningEmulator, sesv2_raw: Any) -> None:
    emulator.control.add_fault("PutAccountVdmAttributes", "throttle")
    with pytest.raises(ClientError) as exc:
        sesv2_raw.put_account_vdm_attributes(VdmAttributes={"VdmEnabled": "BOGUS"})
    assert error_details(exc.value)[1] == 429


@pytest.mark.parametrize(
    "spec",
    [
        {"operation": "GetAccount", "kind": "explode"},
        {"operation": "GetAccount", "kind": "error", "count": 0},
        {"operation": "GetAccount", "kind": "latency", "seconds": -1},
        {"operation": "", "kind": "error"},
    ],
)
def test_bad_fault_specs_are_refused(emulator: RunningEmulator, spec: dict[str, Any]) -> None:
    with pytest.raises(ControlError) as exc:
        emulator.control.add_fault(**spec)
    assert exc.value.status == 400
    assert emulator.control.faults() == []
