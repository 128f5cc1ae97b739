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
from ._provider import (
    BaseVdmProvider,
    check_props,
    is_unknown,
    one_line_errors,
    refreshed_inputs,
    user_props,
)
from ._shapes import (
    ConfigurationSetVdmOptionsProps,
    expand_vdm_options,
    flatten_vdm_options,
)
from .errors import VdmNotFoundError

TYPE_NAME = "ConfigurationSetVdmOptions"
LEAVES: tuple[tuple[str, str], ...] = (
    ("dashboard_options", "engagement_metrics"),
    ("guardian_options", "optimized_shared_delivery"),
)


def _context(props: dict[str, Any]) -> str:
    return f"{TYPE_NAME} {props.get(NAME_KEY) or '<unnamed>'!r}"


def find_vdm_options(name: str, region: str, context: str) -> dict[str, Any] | None:
    """The finder for this resource's read path: the set's options, or None if the set is gone."""
    try:
        found = _aws.call(
            "GetConfigurationSet", region, {"ConfigurationSetName": name}, context=context
        )
    except VdmNotFoundError:
        return None
    return flatten_vdm_options(found.get("VdmOptions"))


def _managed(props: dict[str, Any]) -> list[tuple[str, str]]:
    return [(g, k) for g, k in LEAVES if leaf(props, g, k) is not None]


def _overlay(live: dict[str, Any], declared: dict[str, Any]) -> dict[str, Any]:
    merged = {g: dict(live.get(g) or {}) for g, _ in LEAVES}
    for group, key in _managed(declared):
        merged[group][key] = leaf(declared, group, key)
    return merged


def _not_found(context: str, name: str, region: str) -> VdmNotFoundError:
    return VdmNotFoundError(
        f"{context}: configuration set {name!r} not found in {region} (NotFoundException)",
        code="NotFoundException",
        operation="GetConfigurationSet",
    )


class ConfigurationSetVdmOptionsProvider(BaseVdmProvider):
    """CRUD over ``PutConfigurationSetVdmOptions`` and ``GetConfigurationSet``."""

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        props = {k: v for k, v in news.items() if k not in OUTPUT_ONLY}
        return check_props(ConfigurationSetVdmOptionsProps, props)

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces: list[str] = []
        name = news.get("configuration_set_name")
        if is_unknown(name) or name != olds.get("configuration_set_name"):
            replaces.append("configuration_set_name")
        new_region = news.get("region")
        if is_unknown(new_region) or self.resolve_region(new_region) != olds.get("region"):
            replaces.append("region")
        changed = bool(replaces)
        for group, key in LEAVES:
            wanted = leaf(news, group, key)
            if wanted is not None and (is_unknown(wanted) or wanted != leaf(olds, group, key)):
                changed = True
        if ownership_changed(olds, news, LEAVES):
            changed = True
        return DiffResult(changes=changed, replaces=replaces, delete_before_replace=False)

    @one_line_errors(TYPE_NAME)
    def create(self, props: dict[str, Any]) -> CreateResult:
        region = self.resolve_region(props.get("region"))
        name = str(props["configuration_set_name"])
        context = _context(props)
        previous = find_vdm_options(name, region, context)
        if previous is None:
            raise _not_found(context, name, region)
        live = self._write(name, region, previous, props, context)
        return CreateResult(name, self._outs(name, region, props, live, previous, props))

    @one_line_errors(TYPE_NAME)
    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        region = str(olds.get("region"))
        name = str(news["configuration_set_name"])
        context = _context(news)
        current: dict[str, Any] = {g: olds.get(g) for g, _ in LEAVES}
        wanted = _overlay(current, news)
        if wanted != {g: dict(current.get(g) or {}) for g, _ in LEAVES}:
            if len(_managed(news)) < len(LEAVES):
                # Some options are not ours: send back their live value, not a stale one.
                live = find_vdm_options(name, region, context)
                if live is None:
                    raise _not_found(context, name, region)
                current = live
            current = self._write(name, region, current, news, context)
        previous = olds.get("previous_vdm_options")
        return UpdateResult(self._outs(name, region, news, current, previous, news))

    @one_line_errors(TYPE_NAME)
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        # A lookup (``get``) may leave the region to the stack's configuration.
        region = str(props.get("region") or self.resolve_region(None))
        name = str(props.get("configuration_set_name") or id_)
        live = find_vdm_options(name, region, _context(props))
        if live is None:
            if props.get(_get.LOOKUP_KEY):
                # A lookup (``get``), not a refresh: "gone" would be the engine's terse
                # "does not exist"; say which set and where.
                raise _not_found(_context(props), name, region)
            return ReadResult(None, {})
        inputs = refreshed_inputs(_context(props), LEAVES, props, live)
        previous = props.get("previous_vdm_options")
        outs = self._outs(name, region, inputs or props, live, previous, props)
        return ReadResult(name, outs, {**inputs, NAME_KEY: props.get(NAME_KEY)} if inputs else None)

    @one_line_errors(TYPE_NAME)
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        region = str(props.get("region"))
        name = str(props.get("configuration_set_name") or id_)
        context = _context(props)
        managed = _managed(props.get(INPUTS_KEY) or props)
        remaining: dict[str, Any] = {}
        if len(managed) < len(LEAVES):
            live = find_vdm_options(name, region, context)
            if live is None:
                return  # the set is gone, and its options with it
            remaining = {g: dict(live.get(g) or {}) for g, _ in LEAVES}
            for group, key in managed:
                remaining[group][key] = None
        body: dict[str, Any] = {"ConfigurationSetName": name}
        options = expand_vdm_options(
            remaining.get("dashboard_options"), remaining.get("guardian_options")
        )
        if options:
            body["VdmOptions"] = options
        try:
            _aws.call("PutConfigurationSetVdmOptions", region, body, context=context)
        except VdmNotFoundError:
            return

    def _write(
        self,
        name: str,
        region: str,
        current: dict[str, Any],
        props: dict[str, Any],
        context: str,
    ) -> dict[str, Any]:
        merged = _overlay(current, props)
        body: dict[str, Any] = {"ConfigurationSetName": name}
        options = expand_vdm_options(merged["dashboard_options"], merged["guardian_options"])
        if options:
            body["VdmOptions"] = options
        try:
            _aws.call("PutConfigurationSetVdmOptions", region, body, context=context)
        except VdmNotFoundError as exc:
            raise _not_found(context, name, region) from exc
        return flatten_vdm_options(options)

    @staticmethod
    def _outs(
        name: str,
        region: str,
        props: dict[str, Any],
        live: dict[str, Any],
        previous: dict[str, Any] | None,
        named: dict[str, Any],
    ) -> dict[str, Any]:
        inputs = {k: v for k, v in user_props(props).items() if k not in OUTPUT_ONLY}
        return {
            "configuration_set_name": name,
            **{g: dict(live.get(g) or {}) for g, _ in LEAVES},
            "region": region,
            "previous_vdm_options": previous,
            NAME_KEY: named.get(NAME_KEY),
            INPUTS_KEY: inputs,
        }


class ConfigurationSetVdmOptionsDashboardOptionsArgs(EngagementMetricsArgs):
    """Typed form of ``dashboard_options`` (pulumi-aws's naming); dicts work too."""


class ConfigurationSetVdmOptionsGuardianOptionsArgs(OptimizedSharedDeliveryArgs):
    """Typed form of ``guardian_options`` (pulumi-aws's naming); dicts work too."""


class ConfigurationSetVdmOptions(pulumi.dynamic.Resource, module="sesv2", name=TYPE_NAME):
    """VDM options of one configuration set (id: the configuration set name)."""

    configuration_set_name: pulumi.Output[str]
    dashboard_options: pulumi.Output[dict[str, Any]]
    guardian_options: pulumi.Output[dict[str, Any]]
    region: pulumi.Output[str]
    previous_vdm_options: pulumi.Output[dict[str, Any] | None]

    def __init__(
        self,
        resource_name: str,
        configuration_set_name: pulumi.Input[str],
        dashboard_options: pulumi.Input[Any] | None = None,
        guardian_options: pulumi.Input[Any] | None = None,
        region: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props: dict[str, Any] = {
            "configuration_set_name": configuration_set_name,
            "dashboard_options": plain(dashboard_options),
            "guardian_options": plain(guardian_options),
            "region": region,
            "previous_vdm_options": None,
            NAME_KEY: resource_name,
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
        _get.require_support(TYPE_NAME, resource_name)
        instance = ConfigurationSetVdmOptions.__new__(ConfigurationSetVdmOptions)
        props = _get.output_props(
            ("dashboard_options", "guardian_options", "previous_vdm_options"),
            configuration_set_name=id,
            region=region,
            **{NAME_KEY: resource_name, _get.LOOKUP_KEY: True},
        )
        pulumi.dynamic.Resource.__init__(
            instance,
            ConfigurationSetVdmOptionsProvider(),
            resource_name,
            props,
            _get.lookup_opts(id, opts),
        )
        return instance
