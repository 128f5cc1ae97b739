"""What ``_aws.call`` retries and for how long, over HTTP against the emulator's faults.

Throttling is a refusal, so it is retried until a time budget runs out (never a small count);
5xx answers and dropped connections keep a bounded number of attempts; everything else is the
answer. The emulator's request log is the witness of every attempt.
"""

from __future__ import annotations

import re

import pytest

from vdm_resources import _aws
from vdm_resources.emulator.testing import RunningEmulator
from vdm_resources.errors import VdmApiError, VdmNotFoundError, VdmThrottledError


def no_sleep(seconds: float) -> None:
    pass


def get_account() -> dict[str, object]:
    return _aws.call("GetAccount", "us-east-1", context="T 'x'", sleep=no_sleep)


def test_throttling_is_retried_beyond_the_attempt_limit(
    aws_emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(_aws.MAX_ATTEMPTS_ENV, "2")
    aws_emulator.control.add_fault("GetAccount", "throttle", count=12)
    get_account()
    log = aws_emulator.control.requests()
    assert log["calls"] == {"GetAccount": 13} and log["faulted"] == {"GetAccount": 12}


def test_throttling_stops_at_the_time_budget_and_says_so(
    aws_emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(_aws.THROTTLE_BUDGET_ENV, "0.3")
    aws_emulator.control.add_fault("GetAccount", "throttle", count=1000)
    with pytest.raises(VdmThrottledError) as info:
        _aws.call("GetAccount", "us-east-1", context="T 'x'")  # real sleeps: real time passes
    aws_emulator.control.clear_faults()
    answered = aws_emulator.control.requests()["faulted"]["GetAccount"]
    match = re.fullmatch(
        r"T 'x': GetAccount in us-east-1 still throttled after (\d+\.\d) s and (\d+) throttled "
        r"answers \(VDM_THROTTLE_BUDGET_SECONDS is 0\.3 s\): Rate exceeded "
        r"\(TooManyRequestsException\)",
        str(info.value),
    )
    assert match, str(info.value)
    assert float(match.group(1)) >= 0.3
    assert int(match.group(2)) == answered >= 2
    assert info.value.code == "TooManyRequestsException"
    assert not _aws.may_have_applied(info.value)


def test_a_zero_budget_fails_on_the_first_throttled_answer(
    aws_emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(_aws.THROTTLE_BUDGET_ENV, "0")
    aws_emulator.control.add_fault("GetAccount", "throttle", count=2)
    with pytest.raises(VdmThrottledError, match=r"and 1 throttled answers"):
        get_account()
    assert aws_emulator.control.calls("GetAccount") == 1


def test_5xx_answers_are_retried_a_bounded_number_of_times(
    aws_emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(_aws.MAX_ATTEMPTS_ENV, "3")
    aws_emulator.control.add_fault("GetAccount", "error", count=2)
    get_account()
    assert aws_emulator.control.calls("GetAccount") == 3
    aws_emulator.control.reset_requests()
    aws_emulator.control.add_fault("GetAccount", "error", count=10)
    with pytest.raises(VdmApiError) as info:
        get_account()
    aws_emulator.control.clear_faults()
    assert not isinstance(info.value, VdmThrottledError)
    assert str(info.value).startswith("T 'x': GetAccount in us-east-1 failed after 3 attempts: ")
    assert aws_emulator.control.calls("GetAccount") == 3
    assert _aws.may_have_applied(info.value)


def test_throttles_do_not_use_up_the_attempts_of_other_errors(
    aws_emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(_aws.MAX_ATTEMPTS_ENV, "2")
    aws_emulator.control.add_fault("GetAccount", "throttle", count=3)
    aws_emulator.control.add_fault("GetAccount", "error", count=1)
    get_account()
    assert aws_emulator.control.calls("GetAccount") == 5


def test_dropped_connections_are_retried(
    aws_emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    aws_emulator.control.add_fault("GetAccount", "drop", count=2)
    get_account()
    assert aws_emulator.control.calls("GetAccount") == 3


def test_answers_are_final(aws_emulator: RunningEmulator) -> None:
    """NotFound and validation errors are the answer: one attempt, no retry."""
    with pytest.raises(VdmNotFoundError):
        _aws.call("GetConfigurationSet", "us-east-1", {"ConfigurationSetName": "nope"}, context="c")
    with pytest.raises(VdmApiError, match=r"^c: PutAccountVdmAttributes in us-east-1 failed: "):
        _aws.call(
            "PutAccountVdmAttributes",
            "us-east-1",
            {"VdmAttributes": {"VdmEnabled": "ON"}},
            context="c",
        )
    assert aws_emulator.control.requests()["total"] == 2


def test_a_client_used_directly_is_left_alone(aws_emulator: RunningEmulator) -> None:
    """The handlers serve calls made through ``_aws.call``; a direct call gets one attempt."""
    aws_emulator.control.add_fault("GetAccount", "throttle", count=1)
    with pytest.raises(Exception, match="TooManyRequestsException"):
        _aws.client("us-east-1").get_account()
    assert aws_emulator.control.calls("GetAccount") == 1
