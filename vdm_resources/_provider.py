"""One dynamic-provider base for both resources: check, diff and CRUD phrased over leaves.

A resource file (one per API noun) supplies its props model, its leaves, a finder (the live
settings in our shape, or None when the target is gone), a writer (one Put of a whole state) and
the few rules that are really its own; everything a provider must get right for users (unknowns
at preview, take-overs compared with a fresh read, unmanaged settings sent back unchanged,
drift, one-line errors) is written once, here.

The provider classes live in importable modules (never ``__main__``) so dill pickles them by
reference: the ``__provider`` blob in state stays ~100 bytes and does not change when this code
does. Instances carry no attributes at pickling time; ``configure`` runs in the provider process
and only stores plain configuration there.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from . import _aws, _credentials, _get, _region, _targets
from ._check import StrictProps, check_failures
from ._drift import refreshed_inputs
from ._host import one_line_errors
from ._leaves import (
    INPUTS_KEY,
    NAME_KEY,
    OUTPUT_ONLY,
    Leaf,
    leaf,
    managed,
    overlay,
    ownership_changed,
    taken_over,
    with_leaf,
)
from ._unknowns import is_unknown, unknown_leaves
from ._unknowns import unknown_paths as unknown_paths_in
from .errors import VdmApiError, VdmError, VdmNotFoundError, VdmValidationError

PROVIDER_KEY = "__provider"
#: Set by the program (``pulumi.runtime.is_dry_run()``): lets ``check`` tell a preview, where a
#: warning about the target helps the reviewer, from an ``up``, which reads the target anyway.
DRY_RUN_KEY = "__dry_run"
#: The account a resource acts in, as last applied (``_targets.recorded``: nothing secret).
TARGET_KEY = "__target"
#: The inputs that choose the account (besides the stack's ``aws:profile``/``aws:assumeRoles``).
ACCOUNT_INPUTS = ("assume_role", "profile")


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    return value


def user_props(props: dict[str, Any]) -> dict[str, Any]:
    """The user's properties: ``__provider`` and engine internals removed."""
    return {k: v for k, v in props.items() if k != PROVIDER_KEY and not k.startswith("__")}


class VdmProvider(ResourceProvider):
    """What both resources' providers are; a subclass is one API noun (see the module doc)."""

    # Nothing secret is ever captured in the provider (it holds no state at pickling time), so
    # the blob need not be encrypted as a secret: it stays small and readable in state.
    serialize_as_secret_always = False

    type_name: ClassVar[str]
    props_model: ClassVar[type[StrictProps]]
    #: The settings this noun manages; a leaf the program leaves out (None) is not managed.
    leaves: ClassVar[tuple[Leaf, ...]]
    #: Inputs naming the target, besides the region: a change replaces the resource.
    identity_keys: ClassVar[tuple[str, ...]] = ()
    #: Inputs of this package's own (no AWS value): a change is recorded without an API call.
    settings: ClassVar[tuple[str, ...]] = ()
    #: The output that records what the target held before this resource first wrote.
    previous_key: ClassVar[str]

    # -- what each noun supplies -----------------------------------------------------------

    def target(self, props: dict[str, Any]) -> str | None:
        """The target in words for messages (``configuration set 'x'``), if not just the region."""
        return None

    def find(self, region: str, props: dict[str, Any], context: str) -> dict[str, Any] | None:
        """The finder: the live settings in our shape, or None when the target is gone."""
        raise NotImplementedError

    def put(self, region: str, props: dict[str, Any], state: dict[str, Any], context: str) -> None:
        """The writer: one Put that leaves the target holding ``state`` (None leaves omitted)."""
        raise NotImplementedError

    def missing(self, region: str, props: dict[str, Any], context: str) -> dict[str, Any]:
        """What create, update and a lookup do when the finder says the target is gone."""
        raise NotImplementedError

    def resource_id(self, region: str, props: dict[str, Any]) -> str:
        raise NotImplementedError

    def hidden(self, live: dict[str, Any]) -> list[Leaf]:
        """Leaves AWS does not show in ``live`` (their value cannot be read back)."""
        return []

    def after_delete(self, props: dict[str, Any], live: dict[str, Any] | None) -> dict[str, Any]:
        """The state a delete writes, given the live settings (None when not read)."""
        raise NotImplementedError

    def delete_reads(self, props: dict[str, Any]) -> bool:
        """Whether delete needs the live settings first."""
        return True

    def preview_warnings(
        self, olds: dict[str, Any], news: dict[str, Any], region: str, context: str
    ) -> None:
        """Warn a reviewer, at preview, about what will fail on ``up``; never fails."""

    # -- shared --------------------------------------------------------------------------

    def configure(self, req: ConfigureRequest) -> None:
        value = req.config.get("aws:region")
        self._stack_region = value if isinstance(value, str) and value else None
        profile = req.config.get("aws:profile")
        self._stack_profile = profile if isinstance(profile, str) and profile else None
        # Parsed once: the host configures each provider instance once per process, while the
        # target is needed several times per call.
        self._stack_role: dict[str, Any] | None = None
        self._stack_role_error: str | None = None
        try:
            self._stack_role = _targets.stack_assume_role(req.config.get("aws:assumeRoles"))
        except (VdmValidationError, ValueError) as exc:
            self._stack_role_error = str(exc)

    def aws_target(self, props: dict[str, Any]) -> _credentials.AwsTarget:
        """The account this resource acts in: its ``assume_role``/``profile`` (inputs; or, for
        read and delete, the inputs last applied), else the stack's, else the default chain."""
        error = getattr(self, "_stack_role_error", None)
        if error:
            raise VdmValidationError(error)
        own = props if any(k in props for k in ACCOUNT_INPUTS) else props.get(INPUTS_KEY) or {}
        return _targets.target_for(
            own.get("assume_role"),
            own.get("profile"),
            getattr(self, "_stack_role", None),
            getattr(self, "_stack_profile", None),
        )

    def region_for(self, explicit: Any) -> str:
        """The region a resource acts in: ``region=``, the stack's ``aws:region``, then the
        environment and profile, as pulumi-aws resolves it (see ``_region``)."""
        configured = getattr(self, "_stack_region", None)
        return _region.resolve_region(explicit if isinstance(explicit, str) else None, configured)

    def where(self, props: dict[str, Any], region: str) -> str:
        """``<account>/<region>`` when the account is named (a role or profile), else the region:
        the form ``_aws`` errors use, so every message places its target the same way."""
        account = _credentials.account_id(self.aws_target(props), region)
        return f"{account}/{region}" if account else region

    def head(self, props: dict[str, Any]) -> str:
        """The resource type and its Pulumi name (when known)."""
        name = props.get(NAME_KEY)
        return f"{self.type_name} {name!r}" if isinstance(name, str) and name else self.type_name

    def context(self, props: dict[str, Any]) -> str:
        """How API errors start: the resource type, its Pulumi name and its target (the call's
        operation, region and AWS's code follow, from ``_aws.call``)."""
        target = self.target(props)
        return f"{self.head(props)} ({target})" if target else self.head(props)

    def outs(
        self,
        region: str,
        props: dict[str, Any],
        live: dict[str, Any],
        previous: dict[str, Any] | None,
        named: dict[str, Any],
    ) -> dict[str, Any]:
        inputs = {k: v for k, v in user_props(props).items() if k not in OUTPUT_ONLY}
        state = overlay(live, {}, self.leaves)
        target = self.aws_target(props)
        return {
            **{k: props.get(k) for k in self.identity_keys},
            **state,
            "region": region,
            "account_id": _credentials.account_id(target, region),
            **{k: bool(props.get(k)) for k in self.settings},
            self.previous_key: previous,
            NAME_KEY: named.get(NAME_KEY),
            INPUTS_KEY: inputs,
            TARGET_KEY: _targets.recorded(target),
        }

    def _holds(self, region: str, declared: dict[str, Any], context: str) -> bool:
        """After a write of unknown outcome: does the target hold every declared value?"""
        try:
            live = self.find(region, declared, context)
        except VdmError:
            return False
        return live is not None and all(
            leaf(live, g, k) == leaf(declared, g, k) for g, k in managed(declared, self.leaves)
        )

    def _write(
        self, region: str, props: dict[str, Any], live: dict[str, Any], context: str
    ) -> dict[str, Any]:
        """Write the declared leaves over ``live``; an ambiguous failure (5xx, timeout) that in
        fact landed is a success: the next create would otherwise record our own write as
        ``previous``."""
        state = overlay(live, props, self.leaves)
        try:
            self.put(region, props, state, context)
        except VdmApiError as exc:
            if not _aws.may_have_applied(exc) or not self._holds(region, props, context):
                raise
        return state

    # -- check and diff (no API call, but for the preview warnings) -----------------------

    @one_line_errors
    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        props = {k: v for k, v in user_props(news).items() if k not in OUTPUT_ONLY}
        failures = check_failures(self.props_model, props)
        error = getattr(self, "_stack_role_error", None)
        if error:
            failures.append(CheckFailure("assume_role", f"{self.context(news)}: {error}"))
        explicit = props.get("region")
        if is_unknown(explicit) or any(f.property == "region" for f in failures):
            return CheckResult(news, failures)
        try:
            region = self.region_for(explicit)
        except VdmValidationError as exc:
            # Named here, at preview: the engine shows the failure under this resource.
            failures.append(CheckFailure("region", f"{self.context(news)}: {exc}"))
        else:
            if not failures and news.get(DRY_RUN_KEY) is True:
                self.preview_warnings(olds, news, region, self.context(news))
        return CheckResult(news, failures)

    @one_line_errors
    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces: list[str] = []
        for key in self.identity_keys:
            if is_unknown(news.get(key)) or news.get(key) != olds.get(key):
                replaces.append(key)
        new_region = news.get("region")
        if is_unknown(new_region) or self.region_for(new_region) != olds.get("region"):
            replaces.append("region")
        changed = bool(replaces)
        account_change = self._account_change(olds, news)
        if account_change is not None:
            changed = True
            if account_change:
                replaces.append(account_change)
        for group, key in managed(news, self.leaves):
            if leaf(news, group, key) != leaf(olds, group, key):
                changed = True
        # An unknown value, or a whole unknown block, may change what is managed or its value.
        if unknown_leaves(news, self.leaves):
            changed = True
        if any(bool(news.get(k)) != bool(olds.get(k)) for k in self.settings):
            changed = True
        if ownership_changed(olds, news, self.leaves):
            changed = True
        return DiffResult(changes=changed, replaces=replaces, delete_before_replace=False)

    def _account_change(self, olds: dict[str, Any], news: dict[str, Any]) -> str | None:
        """None when the account inputs did not change; "" when they changed within the same
        account (an update that only records them); else the input whose change moves the
        resource to another account (a replacement, like pulumi-aws's provider change)."""
        recorded_inputs = olds.get(INPUTS_KEY) or {}
        mine = {k: news.get(k) for k in ACCOUNT_INPUTS}
        before = {k: recorded_inputs.get(k) for k in ACCOUNT_INPUTS}
        for key, value in mine.items():
            if any(True for _ in unknown_paths_in(value)):
                return key  # the account is not known until the Output is: may move
        target = self.aws_target(news)
        was = _without_nulls(olds.get(TARGET_KEY) or {})
        # (the engine may drop null members from stored values: compare without them)
        if _without_nulls(mine) == _without_nulls(before) and (
            _without_nulls(_targets.recorded(target)) == was
        ):
            return None
        account = _targets.named_account(target)
        if account is None and target.profile and target.profile != was.get("profile"):
            account = _credentials.account_id(target, str(olds.get("region")))
        if account != olds.get("account_id"):
            return "assume_role" if target.assume_role or was.get("role_arn") else "profile"
        return ""

    # -- CRUD ----------------------------------------------------------------------------

    @one_line_errors
    def create(self, props: dict[str, Any]) -> CreateResult:
        region = self.region_for(props.get("region"))
        context = self.context(props)
        previous = self.find(region, props, context)
        live = self.missing(region, props, context) if previous is None else previous
        state = self._write(region, props, live, context)
        outs = self.outs(region, props, state, previous, props)
        return CreateResult(self.resource_id(region, props), outs)

    @one_line_errors
    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        region = str(olds.get("region") or id_)
        context = self.context(news)
        mine = managed(news, self.leaves)
        takeover = taken_over(olds, news, self.leaves)
        live: dict[str, Any] = overlay(olds, {}, self.leaves)
        if takeover or any(leaf(news, g, k) != leaf(olds, g, k) for g, k in mine):
            if takeover or len(mine) < len(self.leaves):
                # A take-over compares with what AWS holds now, not with a record of it; a
                # write sends the settings we do not manage back at their live value.
                found = self.find(region, news, context)
                live = self.missing(region, news, context) if found is None else found
            unseen = set(self.hidden(live))
            if any((g, k) in unseen or leaf(news, g, k) != leaf(live, g, k) for g, k in mine):
                live = self._write(region, news, live, context)
            else:
                live = overlay(live, news, self.leaves)
        return UpdateResult(self.outs(region, news, live, olds.get(self.previous_key), news))

    @one_line_errors
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        # A lookup (``get``) may leave the region to the stack's configuration.
        region = str(props.get("region") or self.region_for(None))
        context = self.context(props)
        live = self.find(region, props, context)
        if live is None:
            if props.get(_get.LOOKUP_KEY):
                live = self.missing(region, props, context)
                return ReadResult(id_, self.outs(region, props, live, None, props))
            return ReadResult(None, {})
        for group, key in self.hidden(live):
            live = with_leaf(live, group, key, leaf(props, group, key))
        inputs = refreshed_inputs(context, self.leaves, props, live)
        previous = props.get(self.previous_key)
        outs = self.outs(region, inputs or props, live, previous, props)
        return ReadResult(id_, outs, {**inputs, NAME_KEY: props.get(NAME_KEY)} if inputs else None)

    @one_line_errors
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        region = str(props.get("region") or id_)
        context = self.context(props)
        live: dict[str, Any] | None = None
        if self.delete_reads(props):
            live = self.find(region, props, context)
            if live is None:
                return  # the target is gone, and its settings with it
        try:
            self.put(region, props, self.after_delete(props, live), context)
        except VdmNotFoundError:
            return  # gone between the read and the write: nothing left to remove
