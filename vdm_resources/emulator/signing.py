"""What the emulator reads of a request's SigV4 signature: the access key id and the region of
the credential scope, and from them the account. Never the signature, the secret (it never
travels) or the session token (``sts.IssuedCredentials`` only compares digests of it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from moto.core import DEFAULT_ACCOUNT_ID
from moto.iam.models import get_account_id_from
from werkzeug.datastructures import Headers

DEFAULT_REGION = "us-east-1"
ACCOUNT_ID_RE = re.compile(r"^\d{12}$")
_SCOPE_RE = re.compile(r"Credential=([^/,\s]+)/\d{8}/([a-z0-9-]+)/[^/,\s]+/aws4_request")

HeaderMap = Mapping[str, str] | Headers


def _scope(headers: HeaderMap) -> re.Match[str] | None:
    return _SCOPE_RE.search(headers.get("Authorization", "") or "")


def region_from_headers(headers: HeaderMap) -> str:
    """The region of the SigV4 credential scope (AWS's endpoints are per region)."""
    match = _scope(headers)
    return match.group(2) if match else DEFAULT_REGION


def access_key_of(headers: HeaderMap) -> str | None:
    match = _scope(headers)
    return match.group(1) if match else None


def account_of(headers: HeaderMap) -> str:
    """The account a request acts in: moto's ``x-moto-account-id`` header, else the account of
    its access key (keys from AssumeRole belong to the role's account), else the default."""
    explicit = headers.get("x-moto-account-id")
    if explicit and ACCOUNT_ID_RE.match(explicit):
        return str(explicit)
    key = access_key_of(headers)
    return get_account_id_from(key) if key else DEFAULT_ACCOUNT_ID


def validate_account_id(value: object, field: str = "account_id") -> str:
    if not isinstance(value, str) or not ACCOUNT_ID_RE.match(value):
        raise ValueError(f"{field} must be a 12-digit AWS account id, not {value!r}")
    return value
