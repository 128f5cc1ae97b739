"""``ConfigurationSetVdmOptions``: a configuration set's VDM override, attached to a set that
something else (pulumi-aws, a console click, another stack) created.

``PutConfigurationSetVdmOptions`` replaces the set's whole ``VdmOptions``. Options the program
leaves out are not managed, so whenever a write could touch them the provider reads the set first
and sends their current value back unchanged. On delete only the managed options are removed; if
nothing else is left the override is cleared and the set follows the account-level settings.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pydantic import field_validator

from . import _aws, _get
from ._args import AssumeRoleArgs, Status, StatusArgs, plain
from ._check import RegionName, StrictProps
from ._credentials import AwsTarget
from ._engine_log import warn
from ._leaves import NAME_KEY, Leaf, leaf, managed, overlay, with_leaf
from ._model import FeatureStatus
from ._provider import DRY_RUN_KEY, VdmProvider
from ._targets import AssumeRoleProps
from .errors import VdmError, VdmNotFoundError

TYPE_NAME = "ConfigurationSetVdmOptions"
LEAVES: tuple[Leaf, ...] = (
    ("dashboard_options", "engagement_metrics"),
    ("guardian_options", "optimized_shared_delivery"),
)
#: AWS's documented rule for configuration set names (the service model only says "string").
NAME_MAX = 64
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


class DashboardOptions(StrictProps):
    engagement_metrics: FeatureStatus | None = None


class GuardianOptions(StrictProps):
    optimized_shared_delivery: FeatureStatus | None = None


class ConfigurationSetVdmOptionsProps(StrictProps):
    configuration_set_name: str
    dashboard_options: DashboardOptions | None = None
    guardian_options: GuardianOptions | None = None
    region: RegionName | None = None
    assume_role: AssumeRoleProps | None = None
    profile: str | None = None

    @field_validator("configuration_set_name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not 1 <= len(value) <= NAME_MAX or not set(value) <= _NAME_CHARS:
            raise ValueError(
                f"{value!r} is not a valid configuration set name: 1 to {NAME_MAX} characters, "
                "letters, digits, '-' and '_' only"
            )
        return value


# -- expand / flatten: our shape <-> the API's ----------------------------------------------


def expand_vdm_options(state: dict[str, Any]) -> dict[str, Any]:
    """``VdmOptions`` for a Put of ``state``; None leaves are left out ({} clears the override)."""
    options: dict[str, Any] = {}
    dashboard = leaf(state, "dashboard_options", "engagement_metrics")
    if dashboard is not None:
        options["DashboardOptions"] = {"EngagementMetrics": dashboard}
    guardian = leaf(state, "guardian_options", "optimized_shared_delivery")
    if guardian is not None:
        options["GuardianOptions"] = {"OptimizedSharedDelivery": guardian}
    return options


def flatten_vdm_options(api: dict[str, Any] | None) -> dict[str, Any]:
    api = api or {}
    dashboard = api.get("DashboardOptions") or {}
    guardian = api.get("GuardianOptions") or {}
    return {
        "dashboard_options": {"engagement_metrics": dashboard.get("EngagementMetrics")},
        "guardian_options": {"optimized_shared_delivery": guardian.get("OptimizedSharedDelivery")},
    }


def find_vdm_options(
    name: str, region: str, context: str, target: AwsTarget | None = None
) -> dict[str, Any] | None:
    """The finder: the set's options, or None if the set is gone (AWS's NotFoundException)."""
    try:
        found = _aws.call(
            "GetConfigurationSet",
            region,
            {"ConfigurationSetName": name},
            context=context,
            target=target,
        )
    except VdmNotFoundError:
        return None
    return flatten_vdm_options(found.get("VdmOptions"))


def not_found(head: str, name: str, where: str) -> VdmNotFoundError:
    """``where``: ``[account/]region``."""
    return VdmNotFoundError(
        f"{head}: configuration set {name!r} not found in {where} (NotFoundException)",
        code="NotFoundException",
        operation="GetConfigurationSet",
    )


class ConfigurationSetVdmOptionsProvider(VdmProvider):
    """CRUD over ``PutConfigurationSetVdmOptions`` and ``GetConfigurationSet``."""

    type_name = TYPE_NAME
    props_model = ConfigurationSetVdmOptionsProps
    leaves = LEAVES
    identity_keys = ("configuration_set_name",)
    previous_key = "previous_vdm_options"

    def target(self, props: dict[str, Any]) -> str | None:
        name = props.get("configuration_set_name")
        return f"configuration set {name!r}" if isinstance(name, str) else None

    def find(self, region: str, props: dict[str, Any], context: str) -> dict[str, Any] | None:
        return find_vdm_options(
            str(props["configuration_set_name"]), region, context, self.aws_target(props)
        )

    def put(self, region: str, props: dict[str, Any], state: dict[str, Any], context: str) -> None:
        name = str(props["configuration_set_name"])
        body: dict[str, Any] = {"ConfigurationSetName": name}
        options = expand_vdm_options(state)
        if options:
            body["VdmOptions"] = options
        try:
            _aws.call(
                "PutConfigurationSetVdmOptions",
                region,
                body,
                context=context,
                target=self.aws_target(props),
            )
        except VdmNotFoundError as exc:
            raise not_found(self.head(props), name, self.where(props, region)) from exc

    def missing(self, region: str, props: dict[str, Any], context: str) -> dict[str, Any]:
        raise not_found(
            self.head(props), str(props["configuration_set_name"]), self.where(props, region)
        )

    def resource_id(self, region: str, props: dict[str, Any]) -> str:
        return str(props["configuration_set_name"])

    def delete_reads(self, props: dict[str, Any]) -> bool:
        return len(self._managed_at_delete(props)) < len(LEAVES)

    def after_delete(self, props: dict[str, Any], live: dict[str, Any] | None) -> dict[str, Any]:
        remaining = overlay(live, {}, LEAVES)
        for group, key in self._managed_at_delete(props):
            remaining = with_leaf(remaining, group, key, None)
        return remaining

    @staticmethod
    def _managed_at_delete(props: dict[str, Any]) -> list[Leaf]:
        return managed(props.get("__inputs") or props, LEAVES)

    def preview_warnings(
        self, olds: dict[str, Any], news: dict[str, Any], region: str, context: str
    ) -> None:
        """A PR that attaches options to a misspelt or not-yet-created set would go green and
        fail after merge: when a preview's create (or replace) targets a set, read it once."""
        name = news.get("configuration_set_name")
        if not isinstance(name, str) or olds.get("configuration_set_name") == name:
            return
        try:
            exists = find_vdm_options(name, region, context, self.aws_target(news)) is not None
        except VdmError:
            return  # a preview warning is a courtesy: its read failing must not fail the preview
        if not exists:
            warn(
                f"{self.head(news)}: configuration set {name!r} does not exist in "
                f"{self.where(news, region)} now; "
                "`pulumi up` will fail unless it is created first (by this program, with a "
                "dependency on it, or elsewhere)"
            )


class ConfigurationSetVdmOptionsDashboardOptionsArgs(StatusArgs):
    """Typed form of ``dashboard_options`` (pulumi-aws's naming); dicts work too."""

    engagement_metrics: Status = None


class ConfigurationSetVdmOptionsGuardianOptionsArgs(StatusArgs):
    """Typed form of ``guardian_options`` (pulumi-aws's naming); dicts work too."""

    optimized_shared_delivery: Status = None


class ConfigurationSetVdmOptions(pulumi.dynamic.Resource, module="sesv2", name=TYPE_NAME):
    """VDM options of one configuration set (id: the configuration set name)."""

    configuration_set_name: pulumi.Output[str]
    dashboard_options: pulumi.Output[dict[str, Any]]
    guardian_options: pulumi.Output[dict[str, Any]]
    region: pulumi.Output[str]
    previous_vdm_options: pulumi.Output[dict[str, Any] | None]
    account_id: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        configuration_set_name: pulumi.Input[str],
        dashboard_options: pulumi.Input[
            ConfigurationSetVdmOptionsDashboardOptionsArgs | dict[str, Any]
        ]
        | None = None,
        guardian_options: pulumi.Input[
            ConfigurationSetVdmOptionsGuardianOptionsArgs | dict[str, Any]
        ]
        | None = None,
        region: pulumi.Input[str] | None = None,
        assume_role: pulumi.Input[AssumeRoleArgs | dict[str, Any]] | None = None,
        profile: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props: dict[str, Any] = {
            "configuration_set_name": configuration_set_name,
            "dashboard_options": plain(dashboard_options),
            "guardian_options": plain(guardian_options),
            "region": region,
            "assume_role": plain(assume_role),
            "profile": profile,
            "previous_vdm_options": None,
            "account_id": None,
            NAME_KEY: resource_name,
            DRY_RUN_KEY: pulumi.runtime.is_dry_run(),
        }
        super().__init__(ConfigurationSetVdmOptionsProvider(), resource_name, props, opts)

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        region: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> ConfigurationSetVdmOptions:
        """Look up a configuration set's VDM options (``id``: the set's name) without managing
        them: nothing is written or cleared on destroy. ``region`` defaults to the stack's
        ``aws:region`` / the environment, as for the resource. Needs pulumi 3.268 or newer (see
        ``_get``).
        """
        return _get.lookup(
            ConfigurationSetVdmOptions,
            ConfigurationSetVdmOptionsProvider(),
            resource_name,
            id,
            opts,
            outputs=("dashboard_options", "guardian_options", "previous_vdm_options", "account_id"),
            known={"configuration_set_name": id, "region": region},
        )
