"""STS at the emulator's address, so ``AWS_ENDPOINT_URL_STS`` can point at it.

moto answers ``AssumeRole`` and ``GetCallerIdentity`` and keeps the multi-account model: the keys
``AssumeRole`` issues belong to the role's account, so SESv2 calls signed with them act there,
while any other key acts in the default account 123456789012. On top, what tests of credential
handling need, as AWS behaves: roles that refuse (``AccessDenied``), a cap on the lifetime of
issued credentials (AWS's minimum is 900 s, too long for a test) and SESv2 or STS calls signed
with expired or unknown temporary credentials refused (``ExpiredToken``, 403).

Secret keys and session tokens are never logged, echoed or stored here: issued credentials are
remembered by access key id with a digest of the session token.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

from moto.core.exceptions import AccessDeniedError
from moto.core.responses import ActionResult
from moto.sts.exceptions import STSValidationError
from moto.sts.responses import TokenResponse
from werkzeug.wrappers import Request

from .exceptions import (
    ErrorTriple,
    ExpiredTokenException,
    UnrecognizedClientException,
    render,
    render_query_error,
)
from .settings import Settings
from .signing import HeaderMap, access_key_of, region_from_headers

#: What the emulator serves of STS (the query protocol: form POST or GET to ``/``).
STS_OPERATIONS = ("AssumeRole", "GetCallerIdentity")
API_VERSION = "2011-06-15"
#: AssumeRole's DurationSeconds bounds (botocore's sts model).
MIN_DURATION, MAX_DURATION = 900, 43200
#: Emulator rule: roles whose name starts with this refuse AssumeRole.
DENIED_ROLE_PREFIX = "denied"
ROLE_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/(?:[^/]+/)*([^/]+)$")
EXPIRED_MESSAGE = "The security token included in the request is expired"
INVALID_TOKEN_MESSAGE = "The security token included in the request is invalid."
#: AWS's prefix for temporary (STS) access key ids.
TEMPORARY_KEY_PREFIX = "ASIA"


def sts_action(request: Request) -> str | None:
    """The ``Action`` of a query-protocol request to ``/``, or None for anything else."""
    if request.path not in ("", "/"):
        return None
    values = urllib.parse.parse_qs(request.query_string.decode("latin-1"))
    if request.method == "POST":
        body = request.get_data(cache=True).decode("utf-8", errors="replace")
        values.update(urllib.parse.parse_qs(body))
    actions = values.get("Action")
    return actions[0] if actions else None


@dataclass(frozen=True)
class _Issued:
    expires_at: float
    token_digest: bytes


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


class IssuedCredentials:
    """Temporary credentials this process issued: until when each is valid, and its token.

    Kept for the process's life (a reset of the SESv2 state does not revoke credentials, as
    nothing in AWS would); after a restart no temporary key is known, so it is refused as AWS
    refuses an unknown one.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._issued: dict[str, _Issued] = {}

    def issue(self, access_key_id: str, session_token: str, expires_at: float) -> None:
        with self._lock:
            self._issued[access_key_id] = _Issued(expires_at, _digest(session_token))

    def problem(self, headers: HeaderMap) -> str | None:
        """``"expired"`` or ``"invalid"`` for temporary credentials AWS would refuse, else None.

        Keys that are not temporary (static test keys) are not checked, like the emulator never
        checked them.
        """
        key = access_key_of(headers)
        if key is None:
            return None
        with self._lock:
            issued = self._issued.get(key)
        token = headers.get("X-Amz-Security-Token")
        if issued is None:
            return "invalid" if key.startswith(TEMPORARY_KEY_PREFIX) and token else None
        if not token or not hmac.compare_digest(issued.token_digest, _digest(token)):
            return "invalid"
        return "expired" if time.time() >= issued.expires_at else None


def refusal(problem: str, service: str) -> ErrorTriple:
    """AWS's answer to expired (``problem="expired"``) or unknown temporary credentials, in the
    protocol of the service called."""
    message = EXPIRED_MESSAGE if problem == "expired" else INVALID_TOKEN_MESSAGE
    if service == "sts":
        code = "ExpiredToken" if problem == "expired" else "InvalidClientTokenId"
        return render_query_error(403, code, message)
    error_cls = ExpiredTokenException if problem == "expired" else UnrecognizedClientException
    return render(error_cls(message))


class EmulatorTokenResponse(TokenResponse):
    """moto's STS responses with the emulator's rules for AssumeRole."""

    def __init__(self, settings: Settings, issued: IssuedCredentials) -> None:
        super().__init__()
        self.settings = settings
        self.issued = issued

    def get_region_from_url(self, request: Any, full_url: str) -> str:
        return region_from_headers(request.headers)

    def assume_role(self) -> ActionResult:
        role_arn = self._get_param("RoleArn") or ""
        match = ROLE_ARN_RE.match(role_arn)
        if match is None:
            raise STSValidationError(
                f"1 validation error detected: Value '{role_arn}' at 'roleArn' failed to satisfy "
                "constraint: Member must be a role ARN (arn:aws:iam::<account id>:role/<name>)"
            )
        duration = self._get_int_param("DurationSeconds", 3600)
        if not MIN_DURATION <= duration <= MAX_DURATION:
            bound = "greater" if duration < MIN_DURATION else "less"
            limit = MIN_DURATION if duration < MIN_DURATION else MAX_DURATION
            raise STSValidationError(
                f"1 validation error detected: Value '{duration}' at 'durationSeconds' failed to "
                f"satisfy constraint: Member must have value {bound} than or equal to {limit}"
            )
        if match.group(2).startswith(DENIED_ROLE_PREFIX) or role_arn in set(
            self.settings.sts_denied_roles
        ):
            caller_arn = self.backend.get_caller_identity(self.get_access_key(), self.region)[1]
            raise AccessDeniedError(caller_arn, f"sts:AssumeRole on resource: {role_arn}")
        result = super().assume_role()
        role = result.result["Credentials"]  # type: ignore[index]
        lifetime = duration
        if self.settings.sts_duration_seconds is not None:
            lifetime = min(duration, self.settings.sts_duration_seconds)
        role.expiration -= datetime.timedelta(seconds=duration - lifetime)
        self.issued.issue(role.access_key_id, role.session_token, time.time() + lifetime)
        return result
