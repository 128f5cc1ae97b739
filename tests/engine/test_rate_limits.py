"""Journey 9: a stack of 50 ConfigurationSetVdmOptions under AWS's real rate limits.

The emulator answers 429 like AWS past 1 call/s per operation; the provider's shared pacer must
keep every one of the engine's concurrent resource operations under it, so the run succeeds
with zero throttling failures and (nearly) no throttled answers at all.
"""

from __future__ import annotations

import pytest

from vdm_resources.emulator.testing import RunningEmulator

from .conftest import seed_sets
from .harness import PulumiProject, many_sets_spec

N = 50


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
    # The pacer spaces calls 5% wider than AWS's rate; a 429 can still happen when scheduling
    # jitter on this 2-core machine delays one request more than that. It must stay rare, and
    # it is retried, never a failure: every Put reached the emulator exactly once successfully.
    throttled = sum(log["throttled"].values())
    assert throttled <= N // 25, log["throttled"]
    puts = log["statuses"]["PutConfigurationSetVdmOptions"]
    assert int(puts.get("200", puts.get(200, 0))) == N, puts
    client = engine_emulator.boto3_client("us-west-2")
    for n in names[:: N // 5]:
        assert client.get_configuration_set(ConfigurationSetName=n)["VdmOptions"] == {
            "DashboardOptions": {"EngagementMetrics": "ENABLED"},
            "GuardianOptions": {"OptimizedSharedDelivery": "ENABLED"},
        }
    # Tear down without pacing (the emulator's limits are off again): not what is measured here.
    proj.run("destroy", "--yes", "--skip-preview", env={"VDM_RATE_SCALE": "off"}).check()
