"""Which AWS region a call goes to, decided in one place and the way pulumi-aws decides it.

boto3 reads only ``AWS_DEFAULT_REGION`` and the profile; pulumi-aws, Terraform and most AWS SDKs
also honour ``AWS_REGION``. A user who switches from pulumi-aws expects the same order, so it is
spelled out here rather than left to boto3. Region names are checked against botocore's
partition data (every partition, read from its data files), so a typo fails at preview with a
suggestion, while a region that a hand-written pattern would miss (``eusc-de-east-1``) passes.
"""

from __future__ import annotations

import difflib
import functools
import os

import botocore
import botocore.exceptions
import botocore.loaders
import botocore.session

from .errors import VdmValidationError

#: Environment variables read after the explicit argument and the stack config, in this order.
REGION_ENV_VARS = ("AWS_REGION", "AWS_DEFAULT_REGION")

NO_REGION_MESSAGE = (
    "region: no AWS region is set; pass region=..., set `pulumi config set aws:region <region>`, "
    "or set AWS_REGION"
)


@functools.cache
def known_regions() -> frozenset[str]:
    """Every region of every partition botocore knows (aws, aws-cn, aws-us-gov, aws-iso*, ...).

    Read from both of botocore's data files: ``partitions.json`` (the endpoint-rules data, which
    learns new regions first) and ``endpoints.json``. Each partition's ``<id>-global`` entry is a
    pseudo-region for global endpoints, not somewhere SES runs, so it is left out.
    """
    loader = botocore.loaders.create_loader()
    regions: set[str] = set()
    for name, id_key in (("partitions", "id"), ("endpoints", "partition")):
        try:
            data = loader.load_data(name)
        except botocore.exceptions.DataNotFoundError:  # pragma: no cover - older botocore
            continue
        for partition in data.get("partitions", []):
            pseudo = f"{partition.get(id_key, '')}-global"
            regions.update(r for r in partition.get("regions", {}) if r != pseudo)
    return frozenset(regions)


def region_problem(value: object) -> str | None:
    """None when ``value`` is a known region; otherwise why not, naming the value."""
    regions = known_regions()
    if isinstance(value, str) and value in regions:
        return None
    if not isinstance(value, str):
        return f"{value!r} is not an AWS region name (a string like 'us-east-1')"
    close = difflib.get_close_matches(value.strip().lower(), sorted(regions), n=1, cutoff=0.75)
    if close:
        return f"{value!r} is not an AWS region (did you mean {close[0]!r}?)"
    return (
        f"{value!r} is not an AWS region: expected a region of botocore {botocore.__version__}'s "
        "partition data, like 'us-east-1' or 'eu-west-1' (a region newer than that botocore "
        "needs a newer boto3/botocore)"
    )


def _profile_region() -> str | None:
    """The region of the profile boto3 would use (``AWS_PROFILE`` or ``default``), if any.

    A profile that does not exist gives no region here; the call that uses it then fails with
    botocore's own "profile not found" message, which says more than a region error would.
    """
    session = botocore.session.Session()
    try:
        region = session.get_scoped_config().get("region")
    except botocore.exceptions.ProfileNotFound:
        return None
    return region if isinstance(region, str) and region else None


def resolve_region(explicit: str | None, configured: str | None) -> str:
    """``region=`` → the stack's ``aws:region`` → ``AWS_REGION`` → ``AWS_DEFAULT_REGION`` →
    the profile's region: pulumi-aws's order.

    The value found is checked against botocore's partition data, and the error says where it
    came from, since a typo in an environment variable is otherwise hard to trace.
    """
    candidates: list[tuple[str | None, str]] = [
        (explicit, "region"),
        (configured, "aws:region"),
        *((os.environ.get(name), name) for name in REGION_ENV_VARS),
    ]
    for value, source in candidates:
        if value:
            return _checked(value, source)
    profile = _profile_region()
    if profile:
        return _checked(profile, f"the region of AWS profile {_profile_name()!r}")
    raise VdmValidationError(NO_REGION_MESSAGE)


def _profile_name() -> str:
    return os.environ.get("AWS_PROFILE") or os.environ.get("AWS_DEFAULT_PROFILE") or "default"


def _checked(value: str, source: str) -> str:
    problem = region_problem(value)
    if problem is None:
        return value
    where = "" if source == "region" else f" (from {source})"
    raise VdmValidationError(f"region: {problem}{where}")
