"""Which account a call acts in: a profile and an optional role, like a pulumi-aws provider.

A call names its account with an :class:`AwsTarget`: a frozen, hashable spec (profile name, role
ARN, session name, external id, duration) holding no secret, so that a provider can carry it and
Pulumi can pickle it. Everything secret lives here, in the process making calls, and is built
lazily: a boto3 session per (target, region), and for a role, credentials from STS
``AssumeRole`` that botocore refreshes before they expire (``DeferredRefreshableCredentials``
around botocore's own ``AssumeRoleCredentialFetcher``, the machinery behind ``role_arn`` in an
AWS profile). STS is reached through boto3's usual endpoint resolution, so
``AWS_ENDPOINT_URL_STS`` applies. No credential, token or secret is ever formatted into a
message: errors name the role ARN, the session name and the account id only.
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.credentials
import botocore.exceptions
import botocore.session

from .errors import VdmApiError, VdmValidationError

DEFAULT_SESSION_NAME = "vdm-resources"
#: arn:<partition>:iam::<12-digit account>:role/<path/>name
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64}$")
#: AssumeRole's bounds for DurationSeconds (the role's maximum may be lower).
MIN_DURATION, MAX_DURATION = 900, 43200


@dataclass(frozen=True)
class AssumeRole:
    """pulumi-aws's ``assume_role`` (``role_arn``, ``session_name``, ``external_id``,
    ``duration_seconds``). The external id is left out of ``repr`` (AWS does not call it a
    secret, but it has no business in logs)."""

    role_arn: str
    session_name: str | None = None
    external_id: str | None = field(default=None, repr=False)
    duration_seconds: int | None = None

    @property
    def account_id(self) -> str:
        match = ROLE_ARN.match(self.role_arn)
        if match is None:
            raise VdmValidationError(f"assume_role.role_arn: {role_arn_problem(self.role_arn)}")
        return match.group(1)


@dataclass(frozen=True)
class AwsTarget:
    """The account a call acts in. ``AwsTarget()`` is boto3's default chain, as before."""

    profile: str | None = None
    assume_role: AssumeRole | None = None

    def describe(self) -> str:
        """For messages: the role, else the profile, else the default credentials."""
        if self.assume_role is not None:
            session = self.assume_role.session_name or DEFAULT_SESSION_NAME
            return f"role {self.assume_role.role_arn} (session {session!r})"
        if self.profile:
            return f"profile {self.profile!r}"
        return "the default credentials"


DEFAULT_TARGET = AwsTarget()


def role_arn_problem(value: object) -> str | None:
    """None for a role ARN; else why not (for the providers' checks)."""
    if isinstance(value, str) and ROLE_ARN.match(value):
        return None
    return f"{value!r} is not an IAM role ARN (arn:aws:iam::<12-digit account id>:role/<name>)"


def duration_problem(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        return f"{value!r} is not a whole number of seconds"
    if not MIN_DURATION <= value <= MAX_DURATION:
        return f"{value} is outside {MIN_DURATION}..{MAX_DURATION} seconds (AssumeRole's bounds)"
    return None


class RoleCredentials(botocore.credentials.DeferredRefreshableCredentials):
    """Assumed-role credentials, fetched on first use and refreshed ahead of expiry.

    botocore's windows: refresh in the background from 15 minutes before expiry, and block to
    refresh from 10 minutes before. AWS's shortest role session is 15 minutes, so every use
    past the first falls in one window or none; tests shorten both.
    """

    _advisory_refresh_timeout = 15 * 60
    _mandatory_refresh_timeout = 10 * 60


class _Provided(botocore.credentials.CredentialProvider):
    """Hands botocore a credentials object built here (its resolver's public extension point)."""

    METHOD = "vdm-assume-role"
    CANONICAL_NAME = "custom-vdm-assume-role"

    def __init__(self, credentials: botocore.credentials.Credentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> botocore.credentials.Credentials:
        return self._credentials


@dataclass
class _Registry:
    lock: threading.Lock = field(default_factory=threading.Lock)
    sessions: dict[tuple[AwsTarget, str], boto3.session.Session] = field(default_factory=dict)
    accounts: dict[tuple[AwsTarget, str], str | None] = field(default_factory=dict)


_REGISTRY = _Registry()


def reset() -> None:
    """Forget sessions, credentials and accounts (tests that change the environment)."""
    with _REGISTRY.lock:
        _REGISTRY.sessions.clear()
        _REGISTRY.accounts.clear()


def session(target: AwsTarget, region: str) -> boto3.session.Session:
    """The boto3 session calls for ``target`` in ``region`` use; built once, on first use.

    boto3 sessions are not thread-safe: each is built under the lock and only used to make
    clients, which are.
    """
    key = (target, region)
    with _REGISTRY.lock:
        found = _REGISTRY.sessions.get(key)
        if found is None:
            found = _REGISTRY.sessions[key] = _build(target, region)
        return found


def _build(target: AwsTarget, region: str) -> boto3.session.Session:
    source = botocore.session.Session(profile=target.profile)
    role = target.assume_role
    if role is None:
        return boto3.session.Session(botocore_session=source, region_name=region)
    extra: dict[str, Any] = {"RoleSessionName": role.session_name or DEFAULT_SESSION_NAME}
    if role.external_id:
        extra["ExternalId"] = role.external_id
    if role.duration_seconds:
        extra["DurationSeconds"] = role.duration_seconds
    fetcher = botocore.credentials.AssumeRoleCredentialFetcher(
        client_creator=functools.partial(source.create_client, region_name=region),
        source_credentials=_SourceCredentials(source),
        role_arn=role.role_arn,
        extra_args=extra,
        expiry_window_seconds=RoleCredentials._advisory_refresh_timeout,
    )
    credentials = RoleCredentials(refresh_using=fetcher.fetch_credentials, method="assume-role")
    assumed = botocore.session.Session(profile=target.profile)
    assumed.register_component(
        "credential_provider", botocore.credentials.CredentialResolver([_Provided(credentials)])
    )
    return boto3.session.Session(botocore_session=assumed, region_name=region)


class _SourceCredentials:
    """The credentials AssumeRole is called with, looked up when a refresh needs them (they may
    be refreshable themselves: SSO, an instance role), never earlier."""

    def __init__(self, source: botocore.session.Session) -> None:
        self._source = source

    def get_frozen_credentials(self) -> botocore.credentials.ReadOnlyCredentials:
        credentials = self._source.get_credentials()
        if credentials is None:
            raise botocore.exceptions.NoCredentialsError()
        return credentials.get_frozen_credentials()


def account_id(target: AwsTarget, region: str) -> str | None:
    """The account ``target`` acts in, for pacing keys and messages.

    From the role ARN when there is one; for a named profile, from STS ``GetCallerIdentity``
    once (it needs no permission). The default credentials give None, as before accounts were
    named: no STS call is made for them.
    """
    if target.assume_role is not None:
        return target.assume_role.account_id
    if not target.profile:
        return None
    key = (target, region)
    with _REGISTRY.lock:
        if key in _REGISTRY.accounts:
            return _REGISTRY.accounts[key]
    sts = session(target, region).client("sts")
    try:
        found: str | None = str(sts.get_caller_identity()["Account"])
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError):
        found = None  # the SESv2 call that follows will say what is wrong, in its own words
    with _REGISTRY.lock:
        _REGISTRY.accounts[key] = found
    return found


def sts_error(
    exc: botocore.exceptions.ClientError,
    target: AwsTarget,
    context: str,
    operation: str,
    where: str,
) -> VdmApiError:
    """One line for STS refusing the role: names the role and what to check, never the caller's
    credentials (AWS's own message names the caller's identity, so it is left out)."""
    code = str(exc.response.get("Error", {}).get("Code", "")) or "AccessDenied"
    if code in ("AccessDenied", "AccessDeniedException"):
        reason = (
            "the credentials in use may not assume it (check the role's trust policy, the "
            "caller's sts:AssumeRole permission and the external id)"
        )
    elif code in ("ExpiredToken", "InvalidClientTokenId", "UnrecognizedClientException"):
        reason = "the credentials used to assume it are expired or not valid"
    else:
        reason = "STS refused it"
    return VdmApiError(
        f"{context}: {operation} in {where} not sent: AssumeRole of {target.describe()} failed: "
        f"{reason} ({code})",
        code=code,
        operation=operation,
    )
