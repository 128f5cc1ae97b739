"""Emulator fixtures shared by the whole test suite.

One emulator subprocess serves the session (starting one costs about a second); the
function-scoped ``emulator`` fixture puts it back to a known state before each test:
empty account state, no pending faults, an empty request log and rate limits OFF (tests
about throttling switch them on explicitly).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from vdm_resources.emulator.testing import RunningEmulator, start_emulator

if TYPE_CHECKING:
    from mypy_boto3_sesv2 import SESV2Client


@pytest.fixture(scope="session")
def emulator_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    state_file = tmp_path_factory.mktemp("vdm-emulator") / "state.json"
    with start_emulator(state_file=state_file, rate_limits=False) as running:
        yield running


@pytest.fixture
def emulator(emulator_server: RunningEmulator) -> RunningEmulator:
    emulator_server.control.reset(
        requests=True, faults=True, rate_limits={"enabled": False, "scale": 1.0}
    )
    return emulator_server


@pytest.fixture(params=["merge", "replace"])
def account_put(request: pytest.FixtureRequest, emulator: RunningEmulator) -> str:
    """Both readings of an undocumented AWS behaviour: whether a PutAccountVdmAttributes that
    omits a nested object keeps it ("merge") or resets it ("replace"). Account tests that take
    this fixture run under both; the emulator goes back to its default at the next reset."""
    mode = str(request.param)
    emulator.control.set_account_put(mode)
    return mode


@pytest.fixture
def sesv2(emulator: RunningEmulator) -> SESV2Client:
    """us-east-1 client, exactly one HTTP attempt per call."""
    return emulator.boto3_client()


@pytest.fixture
def sesv2_raw(emulator: RunningEmulator) -> SESV2Client:
    """Like ``sesv2`` but without boto3's client-side checks, to reach server validation."""
    return emulator.boto3_client(validate_params=False)


@pytest.fixture
def aws_emulator(
    emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> Iterator[RunningEmulator]:
    """The emulator, with this package's client layer (``_aws``) pointed at it through the
    standard AWS variables, client pacing off and retries bounded at 4 attempts."""
    from vdm_resources import _aws

    for key, value in emulator.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv(_aws.RATE_SCALE_ENV, "off")
    monkeypatch.setenv(_aws.MAX_ATTEMPTS_ENV, "4")
    _aws.reset_clients()
    yield emulator
    _aws.reset_clients()
