"""Region resolution in pulumi-aws's order, and region names checked against botocore's data."""

from __future__ import annotations

from pathlib import Path

import pytest

from vdm_resources import _aws, _region
from vdm_resources.emulator.testing import RunningEmulator
from vdm_resources.errors import VdmValidationError


@pytest.fixture
def no_region(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No region anywhere: no variables, no profile, an empty shared config file (returned)."""
    for var in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    config = tmp_path / "aws-config"
    config.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    return config


def test_aws_region_alone_is_honoured_over_http(
    aws_emulator: RunningEmulator, no_region: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """boto3 ignores AWS_REGION; pulumi-aws does not, and neither do we: the call lands there."""
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)  # aws_emulator set it
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    _aws.reset_clients()
    region = _aws.resolve_region(None, None)
    assert region == "eu-west-1"
    _aws.call("GetAccount", region, context="t")
    assert [e["region"] for e in aws_emulator.control.requests()["log"]] == ["eu-west-1"]


def test_order_of_precedence(no_region: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    no_region.write_text("[default]\nregion = ap-southeast-2\n")
    assert _region.resolve_region(None, None) == "ap-southeast-2"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    assert _region.resolve_region(None, None) == "eu-central-1"
    monkeypatch.setenv("AWS_REGION", "us-west-2")
    assert _region.resolve_region(None, None) == "us-west-2"
    assert _region.resolve_region(None, "eu-west-1") == "eu-west-1"
    assert _region.resolve_region("us-east-2", "eu-west-1") == "us-east-2"
    # Empty values count as unset, as an empty `aws:region` or variable does elsewhere.
    monkeypatch.setenv("AWS_REGION", "")
    assert _region.resolve_region("", "") == "eu-central-1"


def test_profile_region(no_region: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    no_region.write_text(
        "[default]\nregion = eu-west-1\n\n[profile marketing]\nregion = ap-southeast-2\n"
    )
    assert _region.resolve_region(None, None) == "eu-west-1"
    monkeypatch.setenv("AWS_PROFILE", "marketing")
    assert _region.resolve_region(None, None) == "ap-southeast-2"
    # A profile that does not exist gives no region (the call then says the profile is missing).
    monkeypatch.setenv("AWS_PROFILE", "nope")
    with pytest.raises(VdmValidationError, match=r"^region: no AWS region is set"):
        _region.resolve_region(None, None)


def test_no_region_message(no_region: Path) -> None:
    with pytest.raises(VdmValidationError) as info:
        _region.resolve_region(None, None)
    assert str(info.value) == (
        "region: no AWS region is set; pass region=..., set "
        "`pulumi config set aws:region <region>`, or set AWS_REGION"
    )


def test_regions_of_every_partition_are_known() -> None:
    regions = _region.known_regions()
    for region in (
        "us-east-1",
        "eu-west-1",
        "eusc-de-east-1",  # aws-eusc, which a hand-written pattern rejected
        "cn-north-1",
        "us-gov-west-1",
        "us-iso-east-1",
        "us-isob-east-1",
    ):
        assert region in regions and _region.region_problem(region) is None, region
    # Partition pseudo-regions for global endpoints are not places SES runs.
    assert "aws-global" not in regions and "aws-cn-global" not in regions
    assert _region.resolve_region("eusc-de-east-1", None) == "eusc-de-east-1"


def test_typo_is_rejected_with_a_suggestion(
    no_region: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _region.region_problem("us-wst-2") == (
        "'us-wst-2' is not an AWS region (did you mean 'us-west-2'?)"
    )
    far = _region.region_problem("mars-north-9")
    assert far is not None and far.startswith("'mars-north-9' is not an AWS region")
    assert "'us-east-1'" in far
    assert _region.region_problem(5) == "5 is not an AWS region name (a string like 'us-east-1')"
    assert _region.region_problem(None) is not None
    with pytest.raises(VdmValidationError, match=r"^region: 'us-wst-2' is not an AWS region"):
        _region.resolve_region("us-wst-2", None)
    # A typo in a variable says where the value came from.
    monkeypatch.setenv("AWS_REGION", "us-wst-2")
    with pytest.raises(
        VdmValidationError,
        match=r"^region: 'us-wst-2' is not an AWS region \(did you mean 'us-west-2'\?\) "
        r"\(from AWS_REGION\)$",
    ):
        _region.resolve_region(None, None)


def test_aws_keeps_its_resolve_region_name() -> None:
    """The providers and components still call ``_aws.resolve_region``."""
    assert _aws.resolve_region is _region.resolve_region
