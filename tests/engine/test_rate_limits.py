"""Journey 9: AWS's real rate limits, alone and shared (issue 13).

The emulator answers 429 like AWS past 1 call/s per operation (per account and region). Alone,
one ``pulumi up`` of 50 sets must keep its engine's concurrent operations under that. Shared,
several programs (and outside clients) on the same account must each get through: the pacers
adapt to the throttled answers, and throttling is retried by time, so no program fails because
another ran at the same time. Every figure here is counted by the emulator, none is timed.
"""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from vdm_resources.emulator.testing import RunningEmulator

from .conftest import seed_sets
from .harness import PulumiProject, Result, many_sets_spec

N = 50
DECLARED = {
    "DashboardOptions": {"EngagementMetrics": "ENABLED"},
    "GuardianOptions": {"OptimizedSharedDelivery": "ENABLED"},
}


def successful(log: dict[str, Any], operation: str) -> int:
    statuses = log["statuses"].get(operation, {})
    return int(statuses.get("200", statuses.get(200, 0)))


def assert_declared(emu: RunningEmulator, names: list[str], region: str) -> None:
    client = emu.boto3_client(region)
    for name in names:
        assert client.get_configuration_set(ConfigurationSetName=name)["VdmOptions"] == DECLARED


UP = ("pulumi", "up", "--yes", "--skip-preview", "--non-interactive", "--color", "never")


def up_together(projects: list[PulumiProject]) -> list[Result]:
    """``pulumi up`` in every project at the same time, as separate CI jobs would."""
    procs = [
        subprocess.Popen(
            [*UP, "--stack", p.stack],
            cwd=p.workdir,
            env=p.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p in projects
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=900)
        results.append(Result(["up"], proc.returncode, out, err))
    return results


@pytest.mark.slow
def test_50_sets_under_aws_rate_limits(
    engine_emulator: RunningEmulator, tmp_path_factory: pytest.TempPathFactory
) -> None:
    names = [f"set-{i:03d}" for i in range(N)]
    seed_sets(engine_emulator, *names, region="us-west-2")
    proj = PulumiProject.create(
        tmp_path_factory.mktemp("rate"), engine_emulator.env, region="us-west-2"
    )
    proj.write_spec(many_sets_spec(names))
    engine_emulator.control.reset_requests()
    engine_emulator.control.set_rate_limits(enabled=True, scale=1.0)
    try:
        res = proj.up("--parallel", "16")
    finally:
        engine_emulator.control.set_rate_limits(enabled=False)
    res.check()
    assert f"+ {N + 1} created" in res.stdout
    log = engine_emulator.control.requests()
    # The pacer runs at AWS's exact rate once it has learned it is alone, so a request that
    # arrives a few milliseconds early is refused now and then; that answer cost no token and
    # is retried within a fiftieth of a second. Refused answers stay a minority, and every
    # Put reached the emulator exactly once successfully.
    throttled = sum(log["throttled"].values())
    assert throttled <= N // 2, log["throttled"]
    assert successful(log, "PutConfigurationSetVdmOptions") == N, log["statuses"]
    assert_declared(engine_emulator, names[:: N // 5], "us-west-2")
    # Tear down without pacing (the emulator's limits are off again): not what is measured here.
    proj.run("destroy", "--yes", "--skip-preview", env={"VDM_RATE_SCALE": "off"}).check()


@pytest.mark.slow
def test_three_programs_share_one_account(
    engine_emulator: RunningEmulator, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """3 separate programs x 20 sets, ``pulumi up`` at the same time, at AWS's real rates (the
    emulator's limits at scale 1, VDM_RATE_SCALE unset): every program succeeds."""
    region = "eu-west-1"
    programs = [[f"team{k}-set-{i:02d}" for i in range(20)] for k in range(3)]
    projects = []
    for k, names in enumerate(programs):
        seed_sets(engine_emulator, *names, region=region)
        proj = PulumiProject.create(
            tmp_path_factory.mktemp(f"team{k}"), engine_emulator.env, region=region
        )
        proj.write_spec(many_sets_spec(names))
        projects.append(proj)
    engine_emulator.control.reset_requests()
    engine_emulator.control.set_rate_limits(enabled=True, scale=1.0)
    try:
        results = up_together(projects)
    finally:
        engine_emulator.control.set_rate_limits(enabled=False)
    log = engine_emulator.control.requests()
    failed = [r.output[-2000:] for r in results if r.returncode != 0]
    throttled = sum(log["throttled"].values())
    print(f"3 programs x 20 sets: {len(failed)} failed, {throttled} throttled answers")
    assert failed == []
    # They did compete for the account's budget: AWS (the emulator) refused some calls, which
    # the pacers took as their signal to share.
    assert throttled > 0, log["throttled"]
    assert successful(log, "PutConfigurationSetVdmOptions") == 60, log["statuses"]
    for names in programs:
        assert_declared(engine_emulator, names, region)
    for proj in projects:
        proj.run("destroy", "--yes", "--skip-preview", env={"VDM_RATE_SCALE": "off"}).check()


@pytest.mark.slow
def test_beside_a_steady_outside_load(
    engine_emulator: RunningEmulator, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """An outside client spends half the budget of the operation the program writes with
    (0.5 call/s of PutConfigurationSetVdmOptions): the program still finishes, no failure."""
    region = "ap-southeast-2"
    names = [f"beside-{i:02d}" for i in range(20)]
    seed_sets(engine_emulator, *names, region=region)
    proj = PulumiProject.create(
        tmp_path_factory.mktemp("beside"), engine_emulator.env, region=region
    )
    proj.write_spec(many_sets_spec(names))
    engine_emulator.control.reset_requests()
    engine_emulator.control.set_rate_limits(enabled=True, scale=1.0)
    # The emulator's outside load: a token attempt every 2 s on a fixed schedule, no retry.
    engine_emulator.control.start_load("PutConfigurationSetVdmOptions", 0.5, region=region)
    try:
        res = proj.up()
    finally:
        engine_emulator.control.stop_load()
        engine_emulator.control.set_rate_limits(enabled=False)
    log = engine_emulator.control.requests()
    outside_calls = log["outside"]["calls"].get("PutConfigurationSetVdmOptions", 0)
    outside_refused = log["outside"]["throttled"].get("PutConfigurationSetVdmOptions", 0)
    print(
        f"beside 0.5 call/s: exit {res.returncode}; outside: {outside_calls} calls, "
        f"{outside_calls - outside_refused} admitted; throttled answers {log['throttled']}"
    )
    res.check()
    assert outside_calls >= 10  # the load ran through the whole up
    assert successful(log, "PutConfigurationSetVdmOptions") == 20
    assert_declared(engine_emulator, names, region)
    proj.run("destroy", "--yes", "--skip-preview", env={"VDM_RATE_SCALE": "off"}).check()
