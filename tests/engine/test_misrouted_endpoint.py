"""Journey: a misrouted endpoint never empties state or fakes a destroy (issue 12, item 1).

``AWS_ENDPOINT_URL_SESV2`` pointing at a path the endpoint does not serve answers HTTP 404
``UnknownOperationException``, as a proxy or a typo in the variable does. ``refresh`` and
``destroy`` must fail with the one line that says so, keep every resource in state, and leave
what AWS (the emulator) holds untouched.
"""

from __future__ import annotations

from typing import Any

import pytest

from vdm_resources.emulator.testing import RunningEmulator

from .conftest import seed_sets
from .harness import PulumiProject

SPEC: dict[str, Any] = {
    "account": {"vdm_enabled": "ENABLED"},
    "configuration_sets": {
        f"{n}-vdm": {
            "configuration_set_name": n,
            "dashboard_options": {"engagement_metrics": "ENABLED"},
        }
        for n in ("marketing", "transactional")
    },
}
LINE = "answered HTTP 404 without AWS's NotFoundException"


def managed(proj: PulumiProject) -> list[str]:
    return sorted(
        str(r["urn"])
        for r in proj.resources()
        if str(r.get("type", "")).startswith("pulumi-python:dynamic/")
    )


def live_options(emu: RunningEmulator, name: str) -> dict[str, Any]:
    got = emu.boto3_client().get_configuration_set(ConfigurationSetName=name)
    return dict(got.get("VdmOptions") or {})


@pytest.mark.slow
def test_misrouted_endpoint_fails_refresh_and_destroy_and_keeps_state(
    engine_emulator: RunningEmulator, tmp_path_factory: pytest.TempPathFactory
) -> None:
    seed_sets(engine_emulator, "marketing", "transactional")
    proj = PulumiProject.create(tmp_path_factory.mktemp("misrouted"), engine_emulator.env)
    proj.write_spec(SPEC)
    proj.up().check()
    before = managed(proj)
    assert len(before) == 3, before
    wrong = {"AWS_ENDPOINT_URL_SESV2": f"{engine_emulator.url}/wrong-prefix"}

    res = proj.run("refresh", "--yes", "--skip-preview", env=wrong)
    assert res.returncode != 0, res.output
    assert LINE in res.output and "likely a misrouted endpoint" in res.output, res.output
    assert f"endpoint {engine_emulator.url}/wrong-prefix" in res.output
    assert "AWS_ENDPOINT_URL_SESV2 is set" in res.output
    assert "Traceback" not in res.output
    assert managed(proj) == before

    res = proj.run("destroy", "--yes", "--skip-preview", env=wrong)
    assert res.returncode != 0, res.output
    assert LINE in res.output, res.output
    assert managed(proj) == before
    for name in ("marketing", "transactional"):
        assert live_options(engine_emulator, name) == {
            "DashboardOptions": {"EngagementMetrics": "ENABLED"}
        }

    # With the right endpoint, nothing was lost: refresh sees no drift, destroy clears AWS.
    proj.refresh("--expect-no-changes").check()
    proj.destroy().check()
    assert live_options(engine_emulator, "marketing") == {}
