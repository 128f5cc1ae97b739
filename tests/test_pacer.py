"""The pacer and retry loop, with a fake clock: no sleeping, no network."""

from __future__ import annotations

from typing import Any

import botocore.exceptions
import pytest

from vdm_resources import _aws
from vdm_resources.errors import VdmApiError, VdmNotFoundError, VdmThrottledError


def test_reservations_are_spaced_by_the_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    monkeypatch.setattr(_aws.time, "monotonic", lambda: now[0])
    pacer = _aws.Pacer(2.0)  # 2 calls/s
    delays = [pacer.reserve() for _ in range(4)]
    step = 0.5 * (1 + _aws.Pacer.MARGIN)
    assert delays == pytest.approx([0.0, step, 2 * step, 3 * step])
    # Units reserve proportionally (BatchGetMetricData's query budget).
    q = _aws.Pacer(160.0)
    q.reserve(10)
    assert q.reserve(1) == pytest.approx(10 / 160 * (1 + _aws.Pacer.MARGIN))


def test_rate_scale_zero_disables_pacing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(_aws.RATE_SCALE_ENV, "off")
    _aws.reset_clients()
    p = _aws.pacer("us-east-1", "PutAccountVdmAttributes", 1.0)
    assert [p.reserve() for _ in range(3)] == [0.0, 0.0, 0.0]


class FakeClient:
    def __init__(self, outcomes: list[Any]) -> None:
        self.outcomes = outcomes
        self.calls = 0

    def get_account(self, **kwargs: Any) -> dict[str, Any]:
        self.calls += 1
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return dict(outcome)


def client_error(code: str, status: int) -> botocore.exceptions.ClientError:
    return botocore.exceptions.ClientError(
        {
            "Error": {"Code": code, "Message": f"msg {code}"},
            "ResponseMetadata": {"HTTPStatusCode": status},
        },
        "GetAccount",
    )


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv(_aws.RATE_SCALE_ENV, "0")
    monkeypatch.setenv(_aws.MAX_ATTEMPTS_ENV, "4")
    _aws.reset_clients()

    def install(outcomes: list[Any]) -> FakeClient:
        client = FakeClient(outcomes)
        monkeypatch.setattr(_aws, "client", lambda region: client)
        return client

    return install


def test_retries_throttling_then_succeeds(fake: Any) -> None:
    client = fake([client_error("TooManyRequestsException", 429)] * 3 + [{"SendingEnabled": True}])
    sleeps: list[float] = []
    out = _aws.call("GetAccount", "us-east-1", context="T 'x'", sleep=sleeps.append)
    assert out == {"SendingEnabled": True}
    assert client.calls == 4 and len(sleeps) == 3


def test_retries_are_bounded(fake: Any) -> None:
    client = fake([client_error("TooManyRequestsException", 429)] * 10)
    with pytest.raises(
        VdmThrottledError, match=r"T 'x': GetAccount in us-east-1 failed after 4 attempts"
    ):
        _aws.call("GetAccount", "us-east-1", context="T 'x'", sleep=lambda s: None)
    assert client.calls == 4


def test_5xx_and_network_errors_are_retried(fake: Any) -> None:
    client = fake(
        [
            client_error("InternalFailure", 500),
            botocore.exceptions.ConnectionClosedError(endpoint_url="http://127.0.0.1:1"),
            {"ok": 1},
        ]
    )
    assert _aws.call("GetAccount", "us-east-1", context="c", sleep=lambda s: None) == {"ok": 1}
    assert client.calls == 3


def test_not_found_and_bad_request_are_not_retried(fake: Any) -> None:
    client = fake([client_error("NotFoundException", 404)])
    with pytest.raises(VdmNotFoundError):
        _aws.call("GetAccount", "us-east-1", context="c", sleep=lambda s: None)
    client = fake([client_error("BadRequestException", 400)])
    with pytest.raises(
        VdmApiError,
        match=r"c: GetAccount in us-east-1 failed: msg BadRequestException \(BadRequestException\)",
    ):
        _aws.call("GetAccount", "us-east-1", context="c", sleep=lambda s: None)
    assert client.calls == 1
