"""The emulator's SESv2 backend: moto's ``SESV2Backend`` plus the VDM rules it lacks.

Configuration sets stay in moto's SES core backend so moto's own Create/Get/Delete/List
keep working; this module adds what VDM needs (account VDM attributes, per-set VDM options,
recommendations, metric data) as AWS's rules: what is accepted, what is refused and what a
read answers. The numbers and items it answers with come from ``synthetic``; seeding and
persistence live in ``state``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timezone
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.base_backend import BackendDict
from moto.ses.models import ConfigurationSet, ses_backends
from moto.sesv2.models import SESV2Backend

from .exceptions import AlreadyExistsException, BadRequestException, NotFoundException
from .recommendations import normalize_recommendation, page_recommendations
from .synthetic import default_recommendations, metric_days, metric_value
from .validation import to_datetime

ACCOUNT_ID: str = DEFAULT_ACCOUNT_ID

#: Emulator rule for per-query errors: a dimension value starting with one of these prefixes
#: makes that query fail with the code, while the other queries in the batch still answer.
ERROR_PREFIXES: tuple[tuple[str, str], ...] = (
    ("denied", "ACCESS_DENIED"),
    ("fail", "INTERNAL_FAILURE"),
)
_QUERY_ERROR_MESSAGES = {
    "ACCESS_DENIED": "Access denied to the requested data",
    "INTERNAL_FAILURE": "Internal failure answering the query",
}
#: Guard against a typo'd year producing a gigantic reply; not an AWS-documented limit.
MAX_METRIC_DAYS = 366

_CONFIGURATION_SET_ATTRS = (
    ("TrackingOptions", "tracking_options"),
    ("DeliveryOptions", "delivery_options"),
    ("ReputationOptions", "reputation_options"),
    ("SendingOptions", "enabled"),
    ("SuppressionOptions", "suppression_options"),
    ("VdmOptions", "vdm_options"),
)
#: CreateConfigurationSet members moto's ConfigurationSet does not keep.
_CONFIGURATION_SET_EXTRAS = ("ArchivingOptions", "MessageSecurityOptions")


# --------------------------------------------------------------------------- metric queries


def _epoch(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp())


def query_error(dimensions: Mapping[str, str]) -> str | None:
    """The per-query error code the emulator answers for these dimensions, if any."""
    for value in dimensions.values():
        for prefix, code in ERROR_PREFIXES:
            if str(value).startswith(prefix):
                return code
    return None


def plan_metric_queries(
    queries: Sequence[Mapping[str, Any]],
) -> list[tuple[str, str, dict[str, str], list[date]]]:
    """``(Id, Metric, Dimensions, days)`` per query; the whole call is refused on a bad one."""
    seen: set[str] = set()
    plans: list[tuple[str, str, dict[str, str], list[date]]] = []
    for index, query in enumerate(queries):
        query_id = str(query["Id"])
        if query_id in seen:
            raise BadRequestException(f"Duplicate query Id in Queries[{index}].Id: {query_id}")
        seen.add(query_id)
        start = to_datetime(query["StartDate"], f"Queries[{index}].StartDate")
        end = to_datetime(query["EndDate"], f"Queries[{index}].EndDate")
        if end <= start:
            raise BadRequestException(
                f"Invalid value for parameter Queries[{index}].EndDate: it must be later than "
                "StartDate"
            )
        days = metric_days(start, end)
        if len(days) > MAX_METRIC_DAYS:
            raise BadRequestException(
                f"Invalid range for Queries[{index}]: at most {MAX_METRIC_DAYS} days per query"
            )
        plans.append((query_id, str(query["Metric"]), dict(query.get("Dimensions") or {}), days))
    return plans


# --------------------------------------------------------------------------- backend


def _render_vdm_attributes(stored: Mapping[str, Any]) -> dict[str, Any]:
    """What live AWS shows: while VDM is DISABLED only ``VdmEnabled``; once ENABLED both
    nested objects, ``DISABLED`` where never set."""
    if stored["VdmEnabled"] != "ENABLED":
        return {"VdmEnabled": stored["VdmEnabled"]}
    dashboard = stored.get("DashboardAttributes") or {}
    guardian = stored.get("GuardianAttributes") or {}
    return {
        "VdmEnabled": stored["VdmEnabled"],
        "DashboardAttributes": {
            "EngagementMetrics": dashboard.get("EngagementMetrics", "DISABLED")
        },
        "GuardianAttributes": {
            "OptimizedSharedDelivery": guardian.get("OptimizedSharedDelivery", "DISABLED")
        },
    }


class VdmSESV2Backend(SESV2Backend):
    """One account+region of SESv2 with VDM state on top of moto's backend."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        #: None until PutAccountVdmAttributes is first called, so GetAccount can omit it.
        self.vdm_attributes: dict[str, Any] | None = None
        self.recommendations: list[dict[str, Any]] = []
        self.set_recommendations(default_recommendations(region_name, account_id))
        self.configuration_set_extras: dict[str, dict[str, Any]] = {}

    # -- account

    def get_account(self) -> dict[str, Any]:
        account: dict[str, Any] = {
            "DedicatedIpAutoWarmupEnabled": False,
            "EnforcementStatus": "HEALTHY",
            "ProductionAccessEnabled": True,
            "SendQuota": {
                "Max24HourSend": 50000.0,
                "MaxSendRate": 14.0,
                "SentLast24Hours": float(self.core_backend.sent_message_count),
            },
            "SendingEnabled": True,
            "SuppressionAttributes": {"SuppressedReasons": ["BOUNCE", "COMPLAINT"]},
        }
        if self.vdm_attributes is not None:
            account["VdmAttributes"] = _render_vdm_attributes(self.vdm_attributes)
        return account

    def put_account_vdm_attributes(
        self, attributes: Mapping[str, Any], *, keep_omitted: bool = True
    ) -> None:
        """A nested block left out keeps its stored value (``keep_omitted``, the "merge"
        reading) or goes back to DISABLED (the "replace" reading); AWS documents neither.
        Stored values survive a DISABLED spell under "merge" and show again once ENABLED."""
        previous = (self.vdm_attributes or {}) if keep_omitted else {}
        merged: dict[str, Any] = {"VdmEnabled": attributes["VdmEnabled"]}
        for key in ("DashboardAttributes", "GuardianAttributes"):
            if key in attributes:
                merged[key] = copy.deepcopy(dict(attributes[key]))
            elif key in previous:
                merged[key] = previous[key]
        self.vdm_attributes = merged

    # -- configuration sets

    def create_configuration_set_from_request(self, request: Mapping[str, Any]) -> None:
        """Create from a CreateConfigurationSet request body (also used by seeds); moto keeps
        the set, the members moto's model lacks are kept here."""
        body = copy.deepcopy(dict(request))
        name = body["ConfigurationSetName"]
        if name in self.core_backend.config_sets:
            raise AlreadyExistsException(f"Configuration set <{name}> already exists.")
        self.create_configuration_set(
            configuration_set_name=name,
            tracking_options=body.get("TrackingOptions") or {},
            delivery_options=body.get("DeliveryOptions") or {},
            reputation_options=body.get("ReputationOptions") or {},
            sending_options=body.get("SendingOptions") or {},
            tags=body.get("Tags") or [],
            suppression_options=body.get("SuppressionOptions") or {},
            vdm_options=body.get("VdmOptions") or {},
        )
        extras = {k: body[k] for k in _CONFIGURATION_SET_EXTRAS if body.get(k)}
        if extras:
            self.configuration_set_extras[name] = extras

    def get_configuration_set(self, configuration_set_name: str) -> ConfigurationSet:
        if configuration_set_name not in self.core_backend.config_sets:
            raise NotFoundException(f"Configuration set <{configuration_set_name}> does not exist.")
        return super().get_configuration_set(configuration_set_name)

    def delete_configuration_set(self, configuration_set_name: str) -> None:
        self.get_configuration_set(configuration_set_name)
        super().delete_configuration_set(configuration_set_name)
        self.configuration_set_extras.pop(configuration_set_name, None)

    def describe_configuration_set(self, configuration_set_name: str) -> dict[str, Any]:
        """GetConfigurationSet's reply: only what was stored (empty options are omitted)."""
        config_set = self.get_configuration_set(configuration_set_name)
        out: dict[str, Any] = {"ConfigurationSetName": configuration_set_name}
        for key, attr in _CONFIGURATION_SET_ATTRS:
            value = getattr(config_set, attr, None)
            if isinstance(value, dict) and value:
                out[key] = copy.deepcopy(value)
        out.update(copy.deepcopy(self.configuration_set_extras.get(configuration_set_name, {})))
        out["Tags"] = copy.deepcopy(list(config_set.tags or []))
        return out

    def put_configuration_set_vdm_options(
        self, configuration_set_name: str, vdm_options: Mapping[str, Any] | None
    ) -> None:
        """Replaces the whole VdmOptions; None (or an empty object) clears the override."""
        config_set = self.get_configuration_set(configuration_set_name)
        config_set.vdm_options = copy.deepcopy(dict(vdm_options or {}))

    # -- recommendations and metrics

    def list_recommendations(
        self,
        filter_: Mapping[str, str] | None = None,
        page_size: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        return page_recommendations(self.recommendations, filter_, page_size, next_token)

    def set_recommendations(
        self, recommendations: Iterable[Mapping[str, Any]], *, append: bool = False
    ) -> None:
        normalized = [
            normalize_recommendation(r, f"recommendations[{i}]")
            for i, r in enumerate(recommendations)
        ]
        self.recommendations = [*self.recommendations, *normalized] if append else normalized

    def batch_get_metric_data(
        self, queries: Sequence[Mapping[str, Any]]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """``(Results, Errors)`` for already model-validated queries."""
        results: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for query_id, metric, dimensions, days in plan_metric_queries(queries):
            code = query_error(dimensions)
            if code is not None:
                message = _QUERY_ERROR_MESSAGES[code]
                errors.append({"Id": query_id, "Code": code, "Message": message})
            elif not self.holds_sources(dimensions):
                results.append({"Id": query_id, "Timestamps": [], "Values": []})
            else:
                results.append(
                    {
                        "Id": query_id,
                        "Timestamps": [_epoch(d) for d in days],
                        "Values": [metric_value(metric, dimensions, d) for d in days],
                    }
                )
        return results, errors

    def holds_sources(self, dimensions: Mapping[str, str]) -> bool:
        """Whether the configuration set and email identity a query names exist here: AWS has
        no data for mail that cannot have been sent. ISP and TENANT_NAME are not tracked."""
        config_set = dimensions.get("CONFIGURATION_SET")
        identity = dimensions.get("EMAIL_IDENTITY")
        return (config_set is None or config_set in self.core_backend.config_sets) and (
            identity is None or identity in self.core_backend.email_identities
        )

    def add_email_identity(self, name: str) -> None:
        """Create the identity unless it exists (seeds are idempotent)."""
        if name not in self.core_backend.email_identities:
            self.create_email_identity(
                email_identity=name,
                tags=None,
                dkim_signing_attributes=None,
                configuration_set_name=None,
            )


vdm_backends: BackendDict[VdmSESV2Backend] = BackendDict(VdmSESV2Backend, "sesv2")


def get_backend(region: str, account_id: str = ACCOUNT_ID) -> VdmSESV2Backend:
    return vdm_backends[account_id][region]


def reset_backends() -> None:
    """Forget every region (the SES core backend holds the configuration sets, so it goes too)."""
    vdm_backends.clear()
    ses_backends.clear()
