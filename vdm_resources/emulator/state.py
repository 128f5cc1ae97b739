"""Seed and state documents, and the state file.

One document shape serves three jobs: a seed (applied at start-up or through the control
endpoint), the state the control endpoint shows, and the state file that survives restarts.
An exported state is a valid seed, so seeding it restores exactly that state.

``regions`` holds one account's regions (``account_id``, default 123456789012); ``accounts``
holds other accounts, ``{"111111111111": {"regions": {...}}}``. Version-1 documents (one
account, no ``accounts``) are read unchanged.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._model import operation_model
from .exceptions import BadRequestException
from .models import (
    ACCOUNT_ID,
    VdmSESV2Backend,
    get_backend,
    normalize_recommendation,
    reset_backends,
    vdm_backends,
)
from .signing import validate_account_id
from .synthetic import generate_recommendations
from .validation import validate_configuration_set_name, validation_messages

STATE_VERSION = 2
_REGION_KEYS = (
    "vdm_attributes",
    "email_identities",
    "configuration_sets",
    "recommendations",
    "generate_recommendations",
    "recommendations_mode",
)


def export_region(backend: VdmSESV2Backend) -> dict[str, Any]:
    region: dict[str, Any] = {}
    if backend.vdm_attributes is not None:
        region["vdm_attributes"] = copy.deepcopy(backend.vdm_attributes)
    region["email_identities"] = sorted(backend.core_backend.email_identities)
    region["configuration_sets"] = [
        backend.describe_configuration_set(name)
        for name in sorted(backend.core_backend.config_sets)
    ]
    region["recommendations"] = copy.deepcopy(backend.recommendations)
    return region


def _export_regions(account_id: str) -> dict[str, Any]:
    account = vdm_backends.get(account_id)
    if account is None:
        return {}
    return {region: export_region(account[region]) for region in sorted(account.keys())}


def accounts_with_state() -> list[str]:
    return sorted(a for a, regions in vdm_backends.items() if len(regions))


def export_state(account_id: str | None = None) -> dict[str, Any]:
    """The persisted document (every account), or one account's; either is a valid seed."""
    if account_id is not None:
        regions = _export_regions(account_id)
        return {"version": STATE_VERSION, "account_id": account_id, "regions": regions}
    others = [a for a in accounts_with_state() if a != ACCOUNT_ID]
    return {
        "version": STATE_VERSION,
        "account_id": ACCOUNT_ID,
        "regions": _export_regions(ACCOUNT_ID),
        "accounts": {a: {"regions": _export_regions(a)} for a in others},
    }


def _plan_recommendations(
    where: str, raw: Mapping[str, Any], region: str, account_id: str
) -> tuple[list[dict[str, Any]], bool] | None:
    mode = raw.get("recommendations_mode", "replace")
    if mode not in ("replace", "append"):
        raise BadRequestException(f"{where}.recommendations_mode must be 'replace' or 'append'")
    recs: list[dict[str, Any]] | None = None
    if "recommendations" in raw:
        if not isinstance(raw["recommendations"], list):
            raise BadRequestException(f"{where}.recommendations must be a list")
        recs = [
            normalize_recommendation(r, f"{where}.recommendations[{i}]")
            for i, r in enumerate(raw["recommendations"])
        ]
    if "generate_recommendations" in raw:
        gen = raw["generate_recommendations"]
        count = gen.get("count") if isinstance(gen, Mapping) else None
        if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= 100_000:
            raise BadRequestException(
                f"{where}.generate_recommendations.count must be an integer in 0..100000"
            )
        generated = generate_recommendations(
            count, gen.get("seed", 0), region=region, account_id=account_id
        )
        recs = [*(recs or []), *generated]
    return None if recs is None else (recs, mode == "append")


def _plan_region(where: str, region: str, raw: Any, account_id: str) -> dict[str, Any]:
    """Validate one region of a seed fully before anything is applied."""
    if not isinstance(raw, Mapping):
        raise BadRequestException(f"{where} must be a JSON object")
    unknown = sorted(set(raw) - set(_REGION_KEYS))
    if unknown:
        raise BadRequestException(
            f"{where}: unknown keys {unknown}; expected {sorted(_REGION_KEYS)}"
        )
    plan: dict[str, Any] = {}
    if "vdm_attributes" in raw:
        # null means "never configured": GetAccount then omits VdmAttributes again.
        attrs = raw["vdm_attributes"]
        if attrs is not None:
            messages = validation_messages(
                operation_model("PutAccountVdmAttributes"), {"VdmAttributes": attrs}
            )
            if messages:
                raise BadRequestException(f"{where}.vdm_attributes: " + "; ".join(messages))
        plan["vdm_attributes"] = copy.deepcopy(attrs)
    identities = raw.get("email_identities", [])
    if not isinstance(identities, list):
        raise BadRequestException(f"{where}.email_identities must be a list of names")
    create_identity = operation_model("CreateEmailIdentity")
    for i, name in enumerate(identities):
        messages = validation_messages(create_identity, {"EmailIdentity": name})
        if not isinstance(name, str) or messages:
            problem = "; ".join(messages) or "not a string"
            raise BadRequestException(f"{where}.email_identities[{i}]: {problem}")
    plan["email_identities"] = list(identities)
    sets = raw.get("configuration_sets", [])
    if not isinstance(sets, list):
        raise BadRequestException(f"{where}.configuration_sets must be a list")
    create = operation_model("CreateConfigurationSet")
    for i, spec in enumerate(sets):
        messages = validation_messages(create, spec) if isinstance(spec, Mapping) else []
        if not isinstance(spec, Mapping) or messages:
            raise BadRequestException(
                f"{where}.configuration_sets[{i}]: " + ("; ".join(messages) or "not an object")
            )
        validate_configuration_set_name(spec["ConfigurationSetName"])
    plan["configuration_sets"] = copy.deepcopy(sets)
    recommendations = _plan_recommendations(where, raw, region, account_id)
    if recommendations is not None:
        plan["recommendations"] = recommendations
    return plan


def _plan_regions(where: str, regions: Any, account_id: str) -> list[tuple[str, dict[str, Any]]]:
    if not isinstance(regions, Mapping):
        raise BadRequestException(f"{where} must be an object keyed by region")
    return [
        (str(region), _plan_region(f"{where}.{region}", str(region), raw, account_id))
        for region, raw in regions.items()
    ]


def _plan_accounts(accounts: Any) -> list[tuple[str, str, dict[str, Any]]]:
    if not isinstance(accounts, Mapping):
        raise BadRequestException("accounts must be an object keyed by 12-digit account id")
    plans: list[tuple[str, str, dict[str, Any]]] = []
    for account_id, raw in accounts.items():
        where = f"accounts.{account_id}"
        try:
            validate_account_id(account_id, where)
        except ValueError as exc:
            raise BadRequestException(str(exc)) from exc
        if not isinstance(raw, Mapping) or set(raw) - {"regions"}:
            raise BadRequestException(f'{where} must be {{"regions": {{...}}}}')
        regions = _plan_regions(f"{where}.regions", raw.get("regions", {}), account_id)
        plans += [(account_id, region, plan) for region, plan in regions]
    return plans


def _apply_region(backend: VdmSESV2Backend, plan: Mapping[str, Any]) -> None:
    if "vdm_attributes" in plan:
        backend.vdm_attributes = plan["vdm_attributes"]
    for identity in plan["email_identities"]:
        backend.add_email_identity(identity)
    for spec in plan["configuration_sets"]:
        name = spec["ConfigurationSetName"]
        if name in backend.core_backend.config_sets:
            backend.delete_configuration_set(name)
        backend.create_configuration_set_from_request(spec)
    if "recommendations" in plan:
        recs, append = plan["recommendations"]
        backend.set_recommendations(recs, append=append)


def apply_seed(doc: Mapping[str, Any], account_id: str | None = None) -> None:
    """Merge a seed into the current state; the whole document is checked first.

    ``regions`` go to ``account_id`` (else the document's ``account_id``, else the default
    account); ``accounts`` to the accounts it names. Per region: ``vdm_attributes`` replaces the
    account attributes, ``email_identities`` (names) are created unless they exist, each entry
    of ``configuration_sets`` (a CreateConfigurationSet body) creates or replaces that set,
    ``recommendations`` and ``generate_recommendations`` replace the region's
    recommendations, or are appended with ``"recommendations_mode": "append"``.
    """
    if not isinstance(doc, Mapping):
        raise BadRequestException("seed must be a JSON object")
    target = account_id if account_id is not None else doc.get("account_id", ACCOUNT_ID)
    try:
        validate_account_id(target)
    except ValueError as exc:
        raise BadRequestException(str(exc)) from exc
    if account_id is not None and doc.get("accounts"):
        raise BadRequestException("a seed for one account_id cannot hold other accounts")
    plans = [
        (target, region, plan)
        for region, plan in _plan_regions("regions", doc.get("regions", {}), target)
    ]
    plans += _plan_accounts(doc.get("accounts", {}))
    for account, region, plan in plans:
        _apply_region(get_backend(region, account), plan)


def import_state(doc: Mapping[str, Any]) -> None:
    """Replace everything with a document written by ``export_state``."""
    reset_backends()
    apply_seed(doc)


def read_state_file(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """None when there is no usable state yet (missing or empty file), so seeding applies."""
    file = Path(path)
    if not file.exists():
        return None
    text = file.read_text("utf-8")
    if not text.strip():
        return None
    doc = json.loads(text)
    if not isinstance(doc, dict):
        raise ValueError(f"{file}: state must be a JSON object")
    if not doc.get("regions") and not doc.get("accounts"):
        return None
    return doc


def write_state_file(path: str | os.PathLike[str], doc: Mapping[str, Any]) -> None:
    """Atomic replace, so a crash or kill mid-write never leaves a truncated state file."""
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{file.name}.", suffix=".tmp", dir=file.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(doc, handle, indent=1, sort_keys=True)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
