"""Engine fixtures: the real pulumi CLI, a fresh emulator per module, offline."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from vdm_resources.emulator.testing import RunningEmulator, start_emulator

from .harness import engine_bin


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.engine)


@pytest.fixture(scope="session", autouse=True)
def _engine_available() -> None:
    if engine_bin() is None:
        message = "pulumi engine not found: run scripts/setup.sh (the README's test command does)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)  # in CI a missing engine is a failure, never a skip
        pytest.skip(message)


@pytest.fixture(scope="module")
def engine_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    """One emulator per test module, persisting to a file, with AWS's rate limits off by
    default (tests that are about rate limits turn them on)."""
    state = tmp_path_factory.mktemp("emulator") / "state.json"
    with start_emulator(state_file=state, rate_limits=False) as emu:
        yield emu


def seed_sets(emu: RunningEmulator, *names: str, region: str = "us-east-1") -> None:
    emu.control.seed(
        {"regions": {region: {"configuration_sets": [{"ConfigurationSetName": n} for n in names]}}}
    )
