"""State file, seed file, restarts and the command line (each test starts its own server)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from vdm_resources.emulator.synthetic import generate_recommendations
from vdm_resources.emulator.testing import EmulatorStartError, start_emulator

VDM_ON = {
    "VdmEnabled": "ENABLED",
    "DashboardAttributes": {"EngagementMetrics": "ENABLED"},
    "GuardianAttributes": {"OptimizedSharedDelivery": "DISABLED"},
}


def snapshot(client: Any) -> dict[str, Any]:
    """Everything a restart must keep, as seen through the API."""
    account = client.get_account()
    sets = sorted(client.list_configuration_sets()["ConfigurationSets"])
    return {
        "vdm": account.get("VdmAttributes"),
        "sets": {
            name: {
                k: v
                for k, v in client.get_configuration_set(ConfigurationSetName=name).items()
                if k != "ResponseMetadata"
            }
            for name in sets
        },
        "recommendations": client.list_recommendations(PageSize=100)["Recommendations"],
    }


@pytest.mark.slow
def test_restart_keeps_account_sets_and_recommendations(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with start_emulator(state_file=state, rate_limits=False) as emu:
        east, west = emu.boto3_client("us-east-1"), emu.boto3_client("eu-west-1")
        east.put_account_vdm_attributes(VdmAttributes=VDM_ON)
        east.create_configuration_set(
            ConfigurationSetName="marketing",
            TrackingOptions={"CustomRedirectDomain": "t.example.com"},
            Tags=[{"Key": "team", "Value": "growth"}],
            VdmOptions={"DashboardOptions": {"EngagementMetrics": "DISABLED"}},
        )
        east.put_configuration_set_vdm_options(
            ConfigurationSetName="marketing",
            VdmOptions={"GuardianOptions": {"OptimizedSharedDelivery": "ENABLED"}},
        )
        east.create_configuration_set(
            ConfigurationSetName="cleared",
            VdmOptions={"DashboardOptions": {"EngagementMetrics": "ENABLED"}},
        )
        east.put_configuration_set_vdm_options(ConfigurationSetName="cleared")
        emu.control.generate_recommendations("eu-west-1", 7, seed=5)
        before = {"east": snapshot(east), "west": snapshot(west)}
    assert before["west"]["vdm"] is None
    doc = json.loads(state.read_text())
    assert doc["regions"]["us-east-1"]["vdm_attributes"] == VDM_ON
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temp files left

    with start_emulator(state_file=state, rate_limits=False) as emu:
        east, west = emu.boto3_client("us-east-1"), emu.boto3_client("eu-west-1")
        after = {"east": snapshot(east), "west": snapshot(west)}
        assert emu.control.requests()["total"] == 8  # only this run's calls: not persisted
    assert after == before
    assert after["east"]["sets"]["marketing"]["VdmOptions"] == {
        "GuardianOptions": {"OptimizedSharedDelivery": "ENABLED"}
    }
    assert "VdmOptions" not in after["east"]["sets"]["cleared"]
    assert len(after["west"]["recommendations"]) == 7


@pytest.mark.slow
def test_seed_applies_only_while_state_is_empty(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(
        json.dumps(
            {
                "regions": {
                    "us-east-1": {
                        "vdm_attributes": VDM_ON,
                        "configuration_sets": [
                            {
                                "ConfigurationSetName": "seeded",
                                "VdmOptions": {
                                    "DashboardOptions": {"EngagementMetrics": "ENABLED"}
                                },
                            }
                        ],
                        "generate_recommendations": {"count": 3, "seed": 1},
                    }
                }
            }
        )
    )
    state = tmp_path / "state.json"
    state.write_text("")  # exists but empty: still counts as "no state yet"
    with start_emulator(state_file=state, seed_file=seed, rate_scale=2.0) as emu:
        assert emu.control.health()["rate_limits"]["scale"] == 2.0
        client = emu.boto3_client()
        assert client.get_account()["VdmAttributes"] == VDM_ON
        assert client.list_configuration_sets()["ConfigurationSets"] == ["seeded"]
        recs = client.list_recommendations()["Recommendations"]
        assert [r["ResourceArn"] for r in recs] == [
            r["ResourceArn"] for r in generate_recommendations(3, 1)
        ]
        client.put_account_vdm_attributes(VdmAttributes={"VdmEnabled": "DISABLED"})
        emu.control.reset()  # back to the seed
        assert client.get_account()["VdmAttributes"] == VDM_ON
        client.put_account_vdm_attributes(VdmAttributes={"VdmEnabled": "DISABLED"})

    with start_emulator(state_file=state, seed_file=seed, rate_limits=False) as emu:
        attrs = emu.boto3_client().get_account()["VdmAttributes"]
        assert attrs["VdmEnabled"] == "DISABLED"  # the state file wins over the seed
        assert emu.control.health()["rate_limits"]["enabled"] is False


@pytest.mark.slow
def test_invalid_seed_file_stops_startup(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"regions": {"us-east-1": {"vdm_attributes": {"VdmEnabled": "x"}}}}))
    with pytest.raises(EmulatorStartError) as exc, start_emulator(seed_file=seed):
        pass
    assert "VdmEnabled" in str(exc.value)


def test_control_seed_and_state_round_trip(emulator: Any, sesv2: Any) -> None:
    emulator.control.seed(
        {
            "regions": {
                "us-east-1": {
                    "vdm_attributes": VDM_ON,
                    "email_identities": ["example.com"],
                    "configuration_sets": [{"ConfigurationSetName": "a"}],
                    "recommendations": generate_recommendations(2, "x"),
                }
            }
        }
    )
    state = emulator.control.state()
    region = state["regions"]["us-east-1"]
    assert region["vdm_attributes"] == VDM_ON
    assert region["email_identities"] == ["example.com"]
    assert region["configuration_sets"] == [{"ConfigurationSetName": "a", "Tags": []}]
    assert region["recommendations"] == generate_recommendations(2, "x")
    emulator.control.reset()
    assert "VdmAttributes" not in sesv2.get_account()
    emulator.control.seed(state)  # a state document is a valid seed
    assert emulator.control.state() == state


@pytest.mark.parametrize(
    "argv",
    [
        [sys.executable, "-m", "vdm_resources.emulator", "serve", "--help"],
        [str(Path(sys.executable).with_name("vdm-emulator")), "serve", "--help"],
    ],
    ids=["python-m", "console-script"],
)
def test_cli_help(argv: list[str]) -> None:
    if not Path(argv[0]).exists():
        pytest.skip("console script not installed in this environment")
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    for flag in ("--host", "--port", "--state", "--seed", "--rate-scale", "--no-rate-limit"):
        assert flag in done.stdout
