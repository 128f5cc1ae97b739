"""``AccountVdmAttributes``: the account's VDM settings in one region.

The settings are a per-region singleton that always exists, so "create" is adoption plus a write:
``GetAccount`` records what was there (``previous_vdm_attributes``, which ``restore_on_delete``
puts back) and ``PutAccountVdmAttributes`` applies what the program declares. Nested attributes
the program leaves out are not managed: they are never sent, so AWS keeps whatever value they
have, and diffs ignore them.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from . import _aws, _get
from ._common import (
    INPUTS_KEY,
    NAME_KEY,
    OUTPUT_ONLY,
    EngagementMetricsArgs,
    OptimizedSharedDeliveryArgs,
    leaf,
    ownership_changed,
    plain,
)
from ._ownership import claim_account_region
from ._provider import (
    BaseVdmProvider,
    check_props,
    is_unknown,
    one_line_errors,
    refreshed_inputs,
    user_props,
)
from ._shapes import (
    AccountVdmAttributesProps,
    expand_account_vdm_attributes,
    flatten_account_vdm_attributes,
)
from .errors import VdmApiError, VdmError

TYPE_NAME = "AccountVdmAttributes"
#: The managed leaves, as (group, key); group "" is a top-level property.
LEAVES: tuple[tuple[str, str], ...] = (
    ("", "vdm_enabled"),
    ("dashboard_attributes", "engagement_metrics"),
    ("guardian_attributes", "optimized_shared_delivery"),
)


def _context(props: dict[str, Any]) -> str:
    return f"{TYPE_NAME} {props.get(NAME_KEY) or '<unnamed>'!r}"


def find_account_vdm_attributes(region: str, context: str) -> dict[str, Any] | None:
    """The finder for this resource's read path: the live attributes, or None if never set."""
    account = _aws.call("GetAccount", region, context=context)
    return flatten_account_vdm_attributes(account.get("VdmAttributes"))


def _holds(region: str, declared: dict[str, Any], context: str) -> bool:
    """After a write of unknown outcome: does the account hold every declared value?"""
    try:
        live = find_account_vdm_attributes(region, context)
    except VdmError:
        return False
    return live is not None and all(
        leaf(live, g, k) == leaf(declared, g, k)
        for g, k in LEAVES
        if leaf(declared, g, k) is not None
    )


def _merge(current: dict[str, Any] | None, declared: dict[str, Any]) -> dict[str, Any]:
    """What AWS holds after a Put of ``declared`` over ``current``: declared leaves win."""
    base = current or flatten_account_vdm_attributes({}) or {}
    nested: dict[str, dict[str, Any]] = {
        "dashboard_attributes": dict(base.get("dashboard_attributes") or {}),
        "guardian_attributes": dict(base.get("guardian_attributes") or {}),
    }
    for group, key in LEAVES[1:]:
        value = leaf(declared, group, key)
        if value is not None:
            nested[group][key] = value
    return {"vdm_enabled": declared.get("vdm_enabled") or base.get("vdm_enabled"), **nested}


class AccountVdmAttributesProvider(BaseVdmProvider):
    """CRUD over ``PutAccountVdmAttributes`` and ``GetAccount`` (see the module docstring)."""

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        props = {k: v for k, v in news.items() if k not in OUTPUT_ONLY}
        return check_props(AccountVdmAttributesProps, props)

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces: list[str] = []
        new_region = news.get("region")
        if is_unknown(new_region) or self.resolve_region(new_region) != olds.get("region"):
            replaces.append("region")
        changed = bool(replaces)
        for group, key in LEAVES:
            wanted = leaf(news, group, key)
            if wanted is None:
                continue  # not managed
            if is_unknown(wanted) or wanted != leaf(olds, group, key):
                changed = True
        if bool(news.get("restore_on_delete")) != bool(olds.get("restore_on_delete")):
            changed = True
        if ownership_changed(olds, news, LEAVES):
            changed = True
        return DiffResult(changes=changed, replaces=replaces, delete_before_replace=False)

    @one_line_errors(TYPE_NAME)
    def create(self, props: dict[str, Any]) -> CreateResult:
        region = self.resolve_region(props.get("region"))
        context = _context(props)
        previous = find_account_vdm_attributes(region, context)
        try:
            self._put(region, props, context)
        except VdmApiError as exc:
            # A failed create leaves nothing in the state, so the next create would read back
            # this write (if it landed) as "previous" and restore_on_delete would restore the
            # wrong settings. When AWS already holds the declared values, the create succeeded.
            if not _aws.may_have_applied(exc) or not _holds(region, props, context):
                raise
        live = _merge(previous, props)
        return CreateResult(region, self._outs(region, props, live, previous, props))

    @one_line_errors(TYPE_NAME)
    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        region = str(olds.get("region") or id_)
        needs_write = any(
            leaf(news, g, k) is not None and leaf(news, g, k) != leaf(olds, g, k) for g, k in LEAVES
        )
        if needs_write:
            self._put(region, news, _context(news))
        live = _merge(olds, news)
        previous = olds.get("previous_vdm_attributes")
        return UpdateResult(self._outs(region, news, live, previous, news))

    @one_line_errors(TYPE_NAME)
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        region = str(props.get("region") or id_)
        live = find_account_vdm_attributes(region, _context(props))
        if live is None:
            if props.get(_get.LOOKUP_KEY):
                # A lookup (``get``) of a region where VDM was never configured: nothing to show.
                return ReadResult(region, self._outs(region, props, {}, None, props))
            return ReadResult(None, {})
        inputs = refreshed_inputs(_context(props), LEAVES, props, live)
        outs = self._outs(
            region, inputs or props, live, props.get("previous_vdm_attributes"), props
        )
        return ReadResult(
            region, outs, {**inputs, NAME_KEY: props.get(NAME_KEY)} if inputs else None
        )

    @one_line_errors(TYPE_NAME)
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        region = str(props.get("region") or id_)
        previous = props.get("previous_vdm_attributes")
        if props.get("restore_on_delete") and previous:
            attrs = expand_account_vdm_attributes(
                previous["vdm_enabled"],
                previous.get("dashboard_attributes"),
                previous.get("guardian_attributes"),
            )
        else:
            attrs = {"VdmEnabled": "DISABLED"}
        _aws.call(
            "PutAccountVdmAttributes", region, {"VdmAttributes": attrs}, context=_context(props)
        )

    def _put(self, region: str, props: dict[str, Any], context: str) -> None:
        attrs = expand_account_vdm_attributes(
            props["vdm_enabled"],
            props.get("dashboard_attributes"),
            props.get("guardian_attributes"),
        )
        _aws.call("PutAccountVdmAttributes", region, {"VdmAttributes": attrs}, context=context)

    @staticmethod
    def _outs(
        region: str,
        props: dict[str, Any],
        live: dict[str, Any],
        previous: dict[str, Any] | None,
        named: dict[str, Any],
    ) -> dict[str, Any]:
        inputs = {k: v for k, v in user_props(props).items() if k not in OUTPUT_ONLY}
        return {
            **live,
            "region": region,
            "restore_on_delete": bool(props.get("restore_on_delete")),
            "previous_vdm_attributes": previous,
            NAME_KEY: named.get(NAME_KEY),
            INPUTS_KEY: inputs,
        }


class AccountVdmAttributesDashboardAttributesArgs(EngagementMetricsArgs):
    """Typed form of ``dashboard_attributes`` (pulumi-aws's naming); dicts work too."""


class AccountVdmAttributesGuardianAttributesArgs(OptimizedSharedDeliveryArgs):
    """Typed form of ``guardian_attributes`` (pulumi-aws's naming); dicts work too."""


class AccountVdmAttributes(pulumi.dynamic.Resource, module="sesv2", name=TYPE_NAME):
    """The account's VDM settings in one region (id: the region)."""

    vdm_enabled: pulumi.Output[str]
    dashboard_attributes: pulumi.Output[dict[str, Any]]
    guardian_attributes: pulumi.Output[dict[str, Any]]
    region: pulumi.Output[str]
    restore_on_delete: pulumi.Output[bool]
    previous_vdm_attributes: pulumi.Output[dict[str, Any] | None]

    def __init__(
        self,
        resource_name: str,
        vdm_enabled: pulumi.Input[str],
        dashboard_attributes: pulumi.Input[Any] | None = None,
        guardian_attributes: pulumi.Input[Any] | None = None,
        region: pulumi.Input[str] | None = None,
        restore_on_delete: pulumi.Input[bool] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        claim_account_region(resource_name, region)
        props: dict[str, Any] = {
            "vdm_enabled": vdm_enabled,
            "dashboard_attributes": plain(dashboard_attributes),
            "guardian_attributes": plain(guardian_attributes),
            "region": region,
            "restore_on_delete": restore_on_delete,
            "previous_vdm_attributes": None,
            NAME_KEY: resource_name,
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
        _get.require_support(TYPE_NAME, resource_name)
        instance = AccountVdmAttributes.__new__(AccountVdmAttributes)
        props = _get.output_props(
            (
                "vdm_enabled",
                "dashboard_attributes",
                "guardian_attributes",
                "restore_on_delete",
                "previous_vdm_attributes",
            ),
            region=id,
            **{NAME_KEY: resource_name, _get.LOOKUP_KEY: True},
        )
        pulumi.dynamic.Resource.__init__(
            instance,
            AccountVdmAttributesProvider(),
            resource_name,
            props,
            _get.lookup_opts(id, opts),
        )
        return instance
