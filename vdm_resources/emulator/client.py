"""Client for the emulator's ``/_vdm`` control endpoint.

Standard library only (no moto, no boto3), so test helpers and the Pulumi provider process
can drive the emulator cheaply. Proxies from the environment are ignored on purpose: the
emulator is always local, and a corporate proxy variable must not redirect control calls.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from typing import Any


class ControlError(RuntimeError):
    """The control endpoint refused a request (bad seed, bad fault spec, ...)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message


class ControlClient:
    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.url}/_vdm{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            payload = exc.read()
            try:
                message = json.loads(payload).get("error", payload.decode())
            except ValueError:
                message = payload.decode(errors="replace")
            raise ControlError(exc.code, message) from None

    # -- health

    def health(self) -> dict[str, Any]:
        return dict(self._call("GET", "/health"))

    # -- request log

    def requests(self) -> dict[str, Any]:
        """``{"total", "calls", "throttled", "faulted", "statuses", "log", "outside"}``;
        ``outside`` is ``{"calls": {op: n}, "throttled": {op: n}}`` of the outside load."""
        return dict(self._call("GET", "/requests"))

    def calls(self, operation: str | None = None) -> int:
        """Calls of one operation (or of all) since the last reset of the log."""
        snapshot = self.requests()
        if operation is None:
            return int(snapshot["total"])
        return int(snapshot["calls"].get(operation, 0))

    def throttled(self, operation: str) -> int:
        return int(self.requests()["throttled"].get(operation, 0))

    def reset_requests(self) -> None:
        self._call("POST", "/requests/reset", {})

    # -- outside load (another client of the same account)

    def start_load(
        self,
        operation: str,
        rate: float,
        region: str = "us-east-1",
        *,
        account_id: str | None = None,
        queries: int = 0,
    ) -> dict[str, Any]:
        """Take a token from ``operation``'s bucket ``rate`` times a second, as another client
        of the account would, until ``stop_load`` or a reset. Replaces a load already running on
        the same (account, region, operation). ``queries``: BatchGetMetricData's query tokens
        per call."""
        body: dict[str, Any] = {
            "operation": operation,
            "rate": rate,
            "region": region,
            "queries": queries,
        }
        if account_id is not None:
            body["account_id"] = account_id
        return dict(self._call("POST", "/load", body))

    def stop_load(self, operation: str | None = None) -> None:
        """Stop the loads on ``operation``, or all of them."""
        self._call("DELETE", "/load" + self._query(operation=operation))

    def loads(self) -> list[dict[str, Any]]:
        """Running loads: ``operation, rate, region, account_id, queries, calls, throttled``."""
        return list(self._call("GET", "/load")["loads"])

    def outside_calls(self, operation: str) -> int:
        """The outside load's calls of ``operation`` since the log was last reset."""
        return int(self.requests()["outside"]["calls"].get(operation, 0))

    def outside_throttled(self, operation: str) -> int:
        return int(self.requests()["outside"]["throttled"].get(operation, 0))

    # -- faults

    def add_fault(
        self, operation: str = "*", kind: str = "error", count: int = 1, seconds: float = 0.0
    ) -> dict[str, Any]:
        """Make the next ``count`` calls of ``operation`` (``*`` = any) fail with ``kind``:
        ``throttle`` (429), ``error`` (500), ``drop`` (no response) or ``latency``
        (``seconds`` delay, then a normal answer)."""
        body = {"operation": operation, "kind": kind, "count": count, "seconds": seconds}
        return dict(self._call("POST", "/faults", body))

    def faults(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "/faults")["faults"])

    def clear_faults(self, operation: str | None = None) -> None:
        self._call("DELETE", "/faults" + self._query(operation=operation))

    # -- rate limits

    def rate_limits(self) -> dict[str, Any]:
        return dict(self._call("GET", "/rate-limits"))

    def set_rate_limits(
        self, *, enabled: bool | None = None, scale: float | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if enabled is not None:
            body["enabled"] = enabled
        if scale is not None:
            body["scale"] = scale
        return dict(self._call("POST", "/rate-limits", body))

    # -- state (per account: ``account_id`` None is every account, or the default one)

    def _query(self, **params: Any) -> str:
        given = {k: v for k, v in params.items() if v is not None}
        return "?" + urllib.parse.urlencode(given) if given else ""

    def state(self, account_id: str | None = None) -> dict[str, Any]:
        """Every account (``regions`` of the default account, ``accounts`` of the others), or
        one account's ``regions`` with ``account_id``."""
        return dict(self._call("GET", "/state" + self._query(account_id=account_id)))

    def seed(self, doc: Mapping[str, Any], account_id: str | None = None) -> dict[str, Any]:
        """Merge a seed document (see ``state.apply_seed``); with ``account_id`` its
        ``regions`` go to that account. Returns the new state (of that account)."""
        path = "/seed" + self._query(account_id=account_id)
        return dict(self._call("POST", path, dict(doc)))

    def reset(
        self,
        *,
        requests: bool = False,
        faults: bool = False,
        rate_limits: Mapping[str, Any] | None = None,
        settings: Mapping[str, Any] | None = None,
    ) -> None:
        """Back to the start-up state and settings; optionally also clear the log and faults,
        set the rate limits and change settings, in one round trip."""
        body: dict[str, Any] = {"requests": requests, "faults": faults}
        if rate_limits is not None:
            body["rate_limits"] = dict(rate_limits)
        if settings is not None:
            body["settings"] = dict(settings)
        self._call("POST", "/reset", body)

    # -- settings (behaviour AWS leaves undocumented)

    def settings(self) -> dict[str, Any]:
        """``{"account_put": "merge" | "replace", "sts_duration_seconds": int | None,
        "sts_denied_roles": [role ARN, ...]}``."""
        return dict(self._call("GET", "/settings"))

    def set_settings(self, **changes: Any) -> dict[str, Any]:
        """Change some settings until the next reset; returns all of them."""
        return dict(self._call("POST", "/settings", changes))

    def account_put(self) -> str:
        return str(self.settings()["account_put"])

    def set_account_put(self, mode: str) -> None:
        """``"merge"``: a PutAccountVdmAttributes that omits a nested block keeps its value;
        ``"replace"``: the omitted block goes back to DISABLED."""
        self.set_settings(account_put=mode)

    def set_sts_duration_seconds(self, seconds: int | None) -> None:
        """Cap the lifetime of credentials AssumeRole issues from now on (None: no cap)."""
        self.set_settings(sts_duration_seconds=seconds)

    def set_denied_roles(self, role_arns: Iterable[str]) -> None:
        """AssumeRole of these roles answers AccessDenied (roles named ``denied*`` always do)."""
        self.set_settings(sts_denied_roles=list(role_arns))

    def set_account_vdm_attributes(
        self,
        region: str,
        vdm_attributes: Mapping[str, Any] | None,
        *,
        account_id: str | None = None,
    ) -> dict[str, Any]:
        return self.seed({"regions": {region: {"vdm_attributes": vdm_attributes}}}, account_id)

    def set_recommendations(
        self,
        region: str,
        recommendations: Iterable[Mapping[str, Any]],
        *,
        append: bool = False,
        account_id: str | None = None,
    ) -> dict[str, Any]:
        region_doc = {
            "recommendations": [dict(r) for r in recommendations],
            "recommendations_mode": "append" if append else "replace",
        }
        return self.seed({"regions": {region: region_doc}}, account_id)

    def generate_recommendations(
        self,
        region: str,
        count: int,
        seed: int | str = 0,
        *,
        append: bool = False,
        account_id: str | None = None,
    ) -> dict[str, Any]:
        """Same data as ``synthetic.generate_recommendations(count, seed, region=region,
        account_id=account_id)``."""
        region_doc = {
            "generate_recommendations": {"count": count, "seed": seed},
            "recommendations_mode": "append" if append else "replace",
        }
        return self.seed({"regions": {region: region_doc}}, account_id)
