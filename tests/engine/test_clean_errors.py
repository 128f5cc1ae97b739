"""Expected failures reach the user as the product's one line, on every SDK in range.

The suite runs once per end of the supported SDK range (``scripts/test.sh``), so each test here
runs on the floor (3.252, whose host answers ``Exception calling application: ...``) and on the
newest SDK (3.272, whose host answers ``traceback.format_exc()``): see ``vdm_resources._host``.
What the user reads first for the failing resource, under ``Diagnostics:``, must be the
product's message, and no Python frame may appear anywhere in the output.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from vdm_resources.emulator.testing import RunningEmulator

from .conftest import seed_sets
from .harness import PulumiProject, Result

SET_TYPE = "pulumi-python:dynamic/sesv2:ConfigurationSetVdmOptions"
ACCOUNT_TYPE = "pulumi-python:dynamic/sesv2:AccountVdmAttributes"


def first_error(result: Result, type_token: str, name: str) -> str:
    """The first ``error:`` line the CLI prints under the resource's heading in Diagnostics."""
    lines = result.output.splitlines()
    heading = f"{type_token} ({name}):"
    for i, line in enumerate(lines):
        if line.strip() == heading:
            for following in lines[i + 1 :]:
                if following.strip():
                    return following.strip()
    raise AssertionError(f"no diagnostics for {heading}\n{result.output}")


def assert_clean(result: Result) -> None:
    assert result.returncode != 0, result.output
    for marker in ("Traceback", 'File "', "Exception calling application", "grpc"):
        assert marker not in result.output, f"{marker!r} in output:\n{result.output}"


def one_set(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "account": None,
        "configuration_sets": {
            f"{name}-vdm": {
                "configuration_set_name": name,
                "dashboard_options": {"engagement_metrics": "ENABLED"},
                **extra,
            }
        },
    }


def test_missing_configuration_set_is_one_line_naming_the_set(
    engine_emulator: RunningEmulator, tmp_path: Path
) -> None:
    proj = PulumiProject.create(tmp_path / "p", engine_emulator.env)
    proj.write_spec(one_set("nosuchset"))
    res = proj.up()
    assert_clean(res)
    line = first_error(res, SET_TYPE, "nosuchset-vdm")
    assert line.startswith("error: ConfigurationSetVdmOptions 'nosuchset-vdm': "), line
    assert "'nosuchset'" in line and "NotFoundException" in line, line
    assert proj.resources(":ConfigurationSetVdmOptions") == []


def test_bad_input_at_check_is_one_line_before_any_call(
    engine_emulator: RunningEmulator, tmp_path: Path
) -> None:
    seed_sets(engine_emulator, "checked")
    proj = PulumiProject.create(tmp_path / "p", engine_emulator.env)
    spec = one_set("checked")
    spec["configuration_sets"]["checked-vdm"]["guardian_options"] = {
        "optimized_shared_delivery": "ON"
    }
    proj.write_spec(spec)
    engine_emulator.control.reset_requests()
    res = proj.preview()
    assert_clean(res)
    line = first_error(res, SET_TYPE, "checked-vdm")
    assert "guardian_options.optimized_shared_delivery: 'ON' is not one of ENABLED, DISABLED" in (
        line
    ), line
    assert engine_emulator.control.calls() == 0


def test_throttling_exhausted_is_one_line_with_the_code(
    engine_emulator: RunningEmulator, tmp_path: Path
) -> None:
    seed_sets(engine_emulator, "throttled")
    # Every answer throttled; a short retry budget (by attempts and by time, whichever the
    # package applies) so the test ends quickly.
    budget = {"VDM_MAX_ATTEMPTS": "2", "VDM_THROTTLE_BUDGET_SECONDS": "2"}
    proj = PulumiProject.create(tmp_path / "p", engine_emulator.env, extra_env=budget)
    proj.write_spec(one_set("throttled"))
    engine_emulator.control.add_fault("*", "throttle", count=1000)
    try:
        res = proj.up()
    finally:
        engine_emulator.control.clear_faults()
    assert_clean(res)
    line = first_error(res, SET_TYPE, "throttled-vdm")
    assert line.startswith(
        "error: ConfigurationSetVdmOptions 'throttled-vdm' (configuration set 'throttled'): "
    ), line
    assert "TooManyRequestsException" in line, line
    assert re.search(r"(GetConfigurationSet|PutConfigurationSetVdmOptions) in us-east-1", line)


def test_no_credentials_is_one_line_and_names_no_secret(
    engine_emulator: RunningEmulator, tmp_path: Path
) -> None:
    seed_sets(engine_emulator, "nocreds")
    env = {
        k: v
        for k, v in engine_emulator.env.items()
        if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
    }
    env.update(
        {
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
            "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        }
    )
    proj = PulumiProject.create(tmp_path / "p", env)
    proj.write_spec(one_set("nocreds"))
    res = proj.up()
    assert_clean(res)
    line = first_error(res, SET_TYPE, "nocreds-vdm")
    assert line.startswith(
        "error: ConfigurationSetVdmOptions 'nocreds-vdm' (configuration set 'nocreds'): "
    ), line
    assert "NoCredentialsError" in line, line


@pytest.mark.parametrize("command", ["preview", "up"])
def test_no_region_is_one_line_naming_the_resource(
    engine_emulator: RunningEmulator, tmp_path: Path, command: str
) -> None:
    env = {k: v for k, v in engine_emulator.env.items() if k != "AWS_DEFAULT_REGION"}
    env["AWS_CONFIG_FILE"] = str(tmp_path / "no-config")
    proj = PulumiProject.create(tmp_path / "p", env, region=None)
    proj.write_spec({"account": {"vdm_enabled": "ENABLED"}, "configuration_sets": {}})
    engine_emulator.control.reset_requests()
    res = proj.preview() if command == "preview" else proj.up()
    assert_clean(res)
    assert engine_emulator.control.calls() == 0  # caught at check, before any call
    line = first_error(res, ACCOUNT_TYPE, "account")
    assert line.startswith("error: "), line
    assert "AccountVdmAttributes" in line and "region" in line, line
