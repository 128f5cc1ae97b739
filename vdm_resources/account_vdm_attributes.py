"""``AccountVdmAttributes``: the account's VDM settings in one region.

The settings are a per-region singleton that always exists, so "create" is adoption plus a write:
``GetAccount`` records what was there (``previous_vdm_attributes``, which ``restore_on_delete``
puts back) and ``PutAccountVdmAttributes`` applies what the program declares. Nested attributes
the program leaves out are not managed. Whether a Put that omits a nested object keeps or resets
it is not documented, so every write reads first and sends the unmanaged ones back at their live
value: the result is the same under either reading.

What ``GetAccount`` shows (live AWS evidence): no ``VdmAttributes`` until first configured; while
``VdmEnabled`` is ``DISABLED`` the nested objects are omitted, so their values cannot be read
back (they are "hidden": never reported as drift, always written when managed).
"""

from __future__ import annotations

from typing import Any

import pulumi

from . import _aws, _credentials, _get
from ._args import AssumeRoleArgs, Status, StatusArgs, plain
from ._check import RegionName, StrictProps
from ._credentials import AwsTarget
from ._leaves import NAME_KEY, Leaf, leaf, overlay, with_leaf
from ._model import DISABLED, ENABLED, FeatureStatus
from ._ownership import claim_account_region
from ._provider import DRY_RUN_KEY, VdmProvider
from ._targets import AssumeRoleProps

TYPE_NAME = "AccountVdmAttributes"
LEAVES: tuple[Leaf, ...] = (
    ("", "vdm_enabled"),
    ("dashboard_attributes", "engagement_metrics"),
    ("guardian_attributes", "optimized_shared_delivery"),
)
NESTED: tuple[Leaf, ...] = LEAVES[1:]


class DashboardAttributes(StrictProps):
    engagement_metrics: FeatureStatus | None = None


class GuardianAttributes(StrictProps):
    optimized_shared_delivery: FeatureStatus | None = None


class AccountVdmAttributesProps(StrictProps):
    vdm_enabled: FeatureStatus
    dashboard_attributes: DashboardAttributes | None = None
    guardian_attributes: GuardianAttributes | None = None
    region: RegionName | None = None
    restore_on_delete: bool = False
    assume_role: AssumeRoleProps | None = None
    profile: str | None = None


# -- expand / flatten: our shape <-> the API's ----------------------------------------------


def expand_account_vdm_attributes(state: dict[str, Any]) -> dict[str, Any]:
    """``VdmAttributes`` for a Put of ``state``; None leaves are left out of the request."""
    attrs: dict[str, Any] = {"VdmEnabled": state["vdm_enabled"]}
    dashboard = leaf(state, "dashboard_attributes", "engagement_metrics")
    if dashboard is not None:
        attrs["DashboardAttributes"] = {"EngagementMetrics": dashboard}
    guardian = leaf(state, "guardian_attributes", "optimized_shared_delivery")
    if guardian is not None:
        attrs["GuardianAttributes"] = {"OptimizedSharedDelivery": guardian}
    return attrs


def flatten_account_vdm_attributes(api: dict[str, Any] | None) -> dict[str, Any] | None:
    """``GetAccount``'s ``VdmAttributes`` in our shape; None when VDM was never configured.
    A nested object AWS omits flattens to None leaves."""
    if api is None:
        return None
    dashboard = api.get("DashboardAttributes") or {}
    guardian = api.get("GuardianAttributes") or {}
    return {
        "vdm_enabled": api.get("VdmEnabled"),
        "dashboard_attributes": {"engagement_metrics": dashboard.get("EngagementMetrics")},
        "guardian_attributes": {
            "optimized_shared_delivery": guardian.get("OptimizedSharedDelivery")
        },
    }


def find_account_vdm_attributes(
    region: str, context: str, target: AwsTarget | None = None
) -> dict[str, Any] | None:
    """The finder: the live attributes, or None if VDM was never configured in the region."""
    account = _aws.call("GetAccount", region, context=context, target=target)
    return flatten_account_vdm_attributes(account.get("VdmAttributes"))


class AccountVdmAttributesProvider(VdmProvider):
    """CRUD over ``PutAccountVdmAttributes`` and ``GetAccount`` (see the module docstring)."""

    type_name = TYPE_NAME
    props_model = AccountVdmAttributesProps
    leaves = LEAVES
    settings = ("restore_on_delete",)
    previous_key = "previous_vdm_attributes"

    def find(self, region: str, props: dict[str, Any], context: str) -> dict[str, Any] | None:
        return find_account_vdm_attributes(region, context, self.aws_target(props))

    def put(self, region: str, props: dict[str, Any], state: dict[str, Any], context: str) -> None:
        body = {"VdmAttributes": expand_account_vdm_attributes(state)}
        _aws.call(
            "PutAccountVdmAttributes", region, body, context=context, target=self.aws_target(props)
        )

    def missing(self, region: str, props: dict[str, Any], context: str) -> dict[str, Any]:
        return {}  # never configured: nothing to keep, nothing to restore

    def resource_id(self, region: str, props: dict[str, Any]) -> str:
        """``<account>/<region>`` when the account is named (a role or profile), else the region
        (the default credentials; and every id before accounts could be named: still read,
        since read and delete go by the recorded region and account, never by the id)."""
        account = _credentials.account_id(self.aws_target(props), region)
        return f"{account}/{region}" if account else region

    def hidden(self, live: dict[str, Any]) -> list[Leaf]:
        if live.get("vdm_enabled") == ENABLED:
            return []
        return [(g, k) for g, k in NESTED if leaf(live, g, k) is None]

    def delete_reads(self, props: dict[str, Any]) -> bool:
        return not self._restores(props)

    def after_delete(self, props: dict[str, Any], live: dict[str, Any] | None) -> dict[str, Any]:
        if self._restores(props):
            return dict(props["previous_vdm_attributes"])
        # Only VdmEnabled is ours to undo: the nested settings go back as they are, so either
        # reading of an omitted object (kept or reset) leaves them unchanged.
        return with_leaf(overlay(live, {}, LEAVES), "", "vdm_enabled", DISABLED)

    @staticmethod
    def _restores(props: dict[str, Any]) -> bool:
        previous = props.get("previous_vdm_attributes")
        return (
            bool(props.get("restore_on_delete"))
            and isinstance(previous, dict)
            and bool(previous.get("vdm_enabled"))
        )


class AccountVdmAttributesDashboardAttributesArgs(StatusArgs):
    """Typed form of ``dashboard_attributes`` (pulumi-aws's naming); dicts work too."""

    engagement_metrics: Status = None


class AccountVdmAttributesGuardianAttributesArgs(StatusArgs):
    """Typed form of ``guardian_attributes`` (pulumi-aws's naming); dicts work too."""

    optimized_shared_delivery: Status = None


class AccountVdmAttributes(pulumi.dynamic.Resource, module="sesv2", name=TYPE_NAME):
    """The account's VDM settings in one region (id: the region)."""

    vdm_enabled: pulumi.Output[str]
    dashboard_attributes: pulumi.Output[dict[str, Any]]
    guardian_attributes: pulumi.Output[dict[str, Any]]
    region: pulumi.Output[str]
    restore_on_delete: pulumi.Output[bool]
    previous_vdm_attributes: pulumi.Output[dict[str, Any] | None]
    account_id: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        vdm_enabled: pulumi.Input[FeatureStatus],
        dashboard_attributes: pulumi.Input[
            AccountVdmAttributesDashboardAttributesArgs | dict[str, Any]
        ]
        | None = None,
        guardian_attributes: pulumi.Input[
            AccountVdmAttributesGuardianAttributesArgs | dict[str, Any]
        ]
        | None = None,
        region: pulumi.Input[str] | None = None,
        restore_on_delete: pulumi.Input[bool] | None = None,
        assume_role: pulumi.Input[AssumeRoleArgs | dict[str, Any]] | None = None,
        profile: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        claim_account_region(resource_name, region, assume_role, profile)
        props: dict[str, Any] = {
            "vdm_enabled": vdm_enabled,
            "dashboard_attributes": plain(dashboard_attributes),
            "guardian_attributes": plain(guardian_attributes),
            "region": region,
            "restore_on_delete": restore_on_delete,
            "assume_role": plain(assume_role),
            "profile": profile,
            "previous_vdm_attributes": None,
            "account_id": None,
            NAME_KEY: resource_name,
            DRY_RUN_KEY: pulumi.runtime.is_dry_run(),
        }
        super().__init__(AccountVdmAttributesProvider(), resource_name, props, opts)

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> AccountVdmAttributes:
        """Look up the account's VDM settings in a region (``id``) without managing them.

        Like pulumi-aws's ``get``: nothing is written, nothing is restored on destroy, and no
        ownership is claimed, so a stack may read a region another stack manages. Needs pulumi
        3.268 or newer (see ``_get``).
        """
        return _get.lookup(
            AccountVdmAttributes,
            AccountVdmAttributesProvider(),
            resource_name,
            id,
            opts,
            outputs=(
                "vdm_enabled",
                "dashboard_attributes",
                "guardian_attributes",
                "restore_on_delete",
                "previous_vdm_attributes",
                "account_id",
            ),
            known={"region": id},
        )
