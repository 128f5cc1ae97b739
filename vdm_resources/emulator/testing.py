"""Start the emulator as a subprocess for a test session or a single test.

A subprocess (not a thread) because moto's backends are process-global and because
restarting with the same state file is how persistence is tested. The server is started
with the interpreter running the tests, so it always matches the installed moto/botocore.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .client import ControlClient

if TYPE_CHECKING:
    from mypy_boto3_sesv2 import SESV2Client
    from mypy_boto3_sts import STSClient

#: Dummy credentials: the emulator never checks them, but botocore needs some to sign.
DUMMY_ACCESS_KEY_ID = "testing"
DUMMY_SECRET_ACCESS_KEY = "testing"
_READY_MARKER = "listening on "
_PROJECT_ROOT = Path(__file__).resolve().parents[2]


class EmulatorStartError(RuntimeError):
    pass


def error_details(error: BaseException) -> tuple[str, int, str]:
    """``(code, http_status, message)`` of a botocore ``ClientError`` - what tests assert on."""
    response: Any = getattr(error, "response", None)
    if not isinstance(response, dict):
        raise TypeError(f"not a botocore ClientError: {error!r}")
    return (
        str(response.get("Error", {}).get("Code", "")),
        int(response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)),
        str(response.get("Error", {}).get("Message", "")),
    )


class RunningEmulator:
    """Handle on a started emulator: where it is and how to talk to it."""

    def __init__(
        self,
        url: str,
        process: subprocess.Popen[str],
        *,
        state_file: Path | None,
        log_path: Path,
    ) -> None:
        self.url = url
        self.process = process
        self.state_file = state_file
        self.log_path = log_path
        self.control = ControlClient(url)
        self._clients: dict[tuple[str, str, bool, bool, str], Any] = {}

    @property
    def env(self) -> dict[str, str]:
        """Variables that point boto3 (and a Pulumi provider process) at this emulator, for
        SESv2 and for STS (AssumeRole)."""
        return {
            "AWS_ENDPOINT_URL_SESV2": self.url,
            "AWS_ENDPOINT_URL_STS": self.url,
            "AWS_ACCESS_KEY_ID": DUMMY_ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": DUMMY_SECRET_ACCESS_KEY,
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def boto3_client(
        self,
        region: str = "us-east-1",
        retries: bool = False,
        *,
        validate_params: bool = True,
        credentials: Mapping[str, Any] | None = None,
    ) -> SESV2Client:
        """A sesv2 client for this emulator.

        ``retries=False`` gives exactly one HTTP attempt per call, so request counts and error
        codes seen by a test are the server's, not botocore's retry loop's.
        ``validate_params=False`` lets a test send what boto3 would refuse client-side, to
        exercise the server's own validation.
        ``credentials``: the ``Credentials`` of an AssumeRole answer (the client then acts in
        the role's account); default the dummy static keys (account 123456789012).
        Clients are cached per argument set: building one costs more than most test calls.
        """
        client: SESV2Client = self._client("sesv2", region, retries, validate_params, credentials)
        return client

    def sts_client(
        self,
        region: str = "us-east-1",
        *,
        validate_params: bool = True,
        credentials: Mapping[str, Any] | None = None,
    ) -> STSClient:
        """An sts client for this emulator (one attempt per call)."""
        client: STSClient = self._client("sts", region, False, validate_params, credentials)
        return client

    def assume_role(
        self,
        role_arn: str,
        session_name: str = "vdm",
        *,
        duration_seconds: int | None = None,
        region: str = "us-east-1",
    ) -> dict[str, Any]:
        """AssumeRole with the dummy keys; returns its ``Credentials``."""
        kwargs: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": session_name}
        if duration_seconds is not None:
            kwargs["DurationSeconds"] = duration_seconds
        return dict(self.sts_client(region).assume_role(**kwargs)["Credentials"])

    def _client(
        self,
        service: str,
        region: str,
        retries: bool,
        validate_params: bool,
        credentials: Mapping[str, Any] | None,
    ) -> Any:
        import boto3
        from botocore.config import Config

        # Keyed by a digest of the whole credentials: a test may reuse a key with another token.
        identity = repr(sorted(credentials.items())) if credentials else ""
        digest = hashlib.sha256(identity.encode()).hexdigest()[:16]
        key = (service, region, retries, validate_params, digest)
        if key in self._clients:
            return self._clients[key]
        # botocore's ``max_attempts`` counts *retries* (1 = two attempts); only
        # ``total_max_attempts: 1`` really means a single attempt.
        config = Config(
            retries={"mode": "standard"}
            if retries
            else {"total_max_attempts": 1, "mode": "standard"},
            parameter_validation=validate_params,
            connect_timeout=5,
            read_timeout=30,
        )
        creds = credentials or {
            "AccessKeyId": DUMMY_ACCESS_KEY_ID,
            "SecretAccessKey": DUMMY_SECRET_ACCESS_KEY,
        }
        session = boto3.session.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds.get("SessionToken"),
            region_name=region,
        )
        client = session.client(service, endpoint_url=self.url, config=config)  # type: ignore[call-overload]
        self._clients[key] = client
        return client

    def raw_request(
        self,
        method: str,
        path: str,
        body: bytes | str | Mapping[str, Any] | None = None,
        *,
        region: str = "us-east-1",
    ) -> tuple[int, dict[str, str], Any]:
        """Send a SigV4-signed request boto3 would refuse to build (wrong types, bad JSON).

        Returns ``(status, headers with lower-case names, decoded JSON body or raw text)``.
        """
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        if isinstance(body, Mapping):
            data: bytes = json.dumps(body).encode()
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = body or b""
        request = AWSRequest(
            method=method,
            url=f"{self.url}{path}",
            data=data,
            headers={"Content-Type": "application/json"},
        )
        credentials = Credentials(DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY)
        SigV4Auth(credentials, "ses", region).add_auth(request)
        prepared = request.prepare()
        http_request = urllib.request.Request(
            prepared.url, data=data or None, method=method, headers=dict(prepared.headers)
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(http_request, timeout=30) as response:
                status, raw_headers, raw = response.status, response.headers, response.read()
        except urllib.error.HTTPError as exc:
            status, raw_headers, raw = exc.code, exc.headers, exc.read()
        headers = {k.lower(): v for k, v in raw_headers.items()}
        try:
            decoded: Any = json.loads(raw) if raw else None
        except ValueError:
            decoded = raw.decode(errors="replace")
        return status, headers, decoded

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)


def _pump(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    """Keep reading stdout so the server can never block on a full pipe."""
    for line in stream:
        lines.put(line)
    lines.put(None)


def server_command(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    state_file: str | os.PathLike[str] | None = None,
    seed_file: str | os.PathLike[str] | None = None,
    rate_scale: float = 1.0,
    rate_limits: bool = True,
    account_put: str | None = None,
    sts_duration_seconds: int | None = None,
    sts_denied_roles: Sequence[str] = (),
    extra_args: Sequence[str] = (),
) -> list[str]:
    cmd = [sys.executable, "-m", "vdm_resources.emulator", "serve", "--host", host]
    cmd += ["--port", str(port), "--rate-scale", repr(float(rate_scale))]
    if state_file is not None:
        cmd += ["--state", os.fspath(state_file)]
    if seed_file is not None:
        cmd += ["--seed", os.fspath(seed_file)]
    if not rate_limits:
        cmd.append("--no-rate-limit")
    if account_put is not None:
        cmd += ["--account-put", account_put]
    if sts_duration_seconds is not None:
        cmd += ["--sts-duration-seconds", str(sts_duration_seconds)]
    for role_arn in sts_denied_roles:
        cmd += ["--sts-deny-role", role_arn]
    cmd.extend(extra_args)
    return cmd


@contextmanager
def start_emulator(
    state_file: str | os.PathLike[str] | None = None,
    seed_file: str | os.PathLike[str] | None = None,
    rate_scale: float = 1.0,
    rate_limits: bool = True,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    startup_timeout: float = 30.0,
    account_put: str | None = None,
    sts_duration_seconds: int | None = None,
    sts_denied_roles: Sequence[str] = (),
    extra_args: Sequence[str] = (),
) -> Iterator[RunningEmulator]:
    """Run ``vdm-emulator serve`` on a free port for the duration of the ``with`` block.

    ``account_put`` (``"merge"``/``"replace"``, default the server's ``"merge"``) is the
    start-up reading of an omitted nested block in PutAccountVdmAttributes;
    ``sts_duration_seconds`` caps the lifetime of credentials AssumeRole issues and
    ``sts_denied_roles`` lists role ARNs whose AssumeRole answers AccessDenied.
    """
    cmd = server_command(
        host=host,
        port=port,
        state_file=state_file,
        seed_file=seed_file,
        rate_scale=rate_scale,
        rate_limits=rate_limits,
        account_put=account_put,
        sts_duration_seconds=sts_duration_seconds,
        sts_denied_roles=sts_denied_roles,
        extra_args=extra_args,
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(_PROJECT_ROOT), env.get("PYTHONPATH", "")) if p
    )
    env["PYTHONUNBUFFERED"] = "1"
    log_fd, log_name = tempfile.mkstemp(prefix="vdm-emulator-", suffix=".log")
    log_path = Path(log_name)
    with os.fdopen(log_fd, "w") as log_file:
        process = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=log_file,
            stdin=subprocess.DEVNULL,
            env=env,
            text=True,
        )
    assert process.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True).start()
    emulator: RunningEmulator | None = None
    try:
        deadline = time.monotonic() + startup_timeout
        while emulator is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise EmulatorStartError(
                    f"emulator did not report readiness within {startup_timeout}s; "
                    f"log: {log_path.read_text(errors='replace')[-2000:]}"
                )
            try:
                line = lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                process.wait(5)
                raise EmulatorStartError(
                    f"emulator exited with {process.returncode}: "
                    f"{log_path.read_text(errors='replace')[-2000:]}"
                )
            if _READY_MARKER in line:
                url = line.split(_READY_MARKER, 1)[1].strip()
                emulator = RunningEmulator(
                    url,
                    process,
                    state_file=Path(state_file) if state_file is not None else None,
                    log_path=log_path,
                )
        yield emulator
    finally:
        if emulator is not None:
            emulator.stop()
        elif process.poll() is None:
            process.kill()
            process.wait(10)
        log_path.unlink(missing_ok=True)
