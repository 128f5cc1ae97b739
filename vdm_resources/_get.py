"""``Resource.get()`` for the dynamic resources: look up existing settings without managing them.

A read-only lookup registers the resource with an ``id`` and no ``Create``; the engine then calls
the provider's ``Read`` with the constructor's props as *inputs* and no prior state. Until pulumi
3.268 the dynamic-provider host looked for the serialized provider (``__provider``) only in the
prior state, so every ``get`` died with ``Exception calling application: '__provider'`` (the
same root as pulumi issue 16175, which still blocks ``pulumi import``). From 3.268 the host falls
back to the inputs, and the lookup works. On an older SDK :func:`require_support` says so in one
line at construction time, before the engine is involved.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any, TypeVar

import pulumi

from ._leaves import NAME_KEY
from .errors import InputError

R = TypeVar("R", bound=pulumi.dynamic.Resource)

#: Marks a lookup's props, so ``read`` can tell a lookup from a refresh: a refresh of a deleted
#: target drops it from state, a lookup of a missing one is an error naming it.
LOOKUP_KEY = "__lookup"
#: The first pulumi SDK whose dynamic-provider host can serve a read-only lookup.
GET_MIN_SDK = (3, 268, 0)


def sdk_version() -> tuple[int, ...]:
    try:
        raw = version("pulumi")
    except PackageNotFoundError:  # pragma: no cover - pulumi is a hard dependency
        return (0,)
    parts: list[int] = []
    for piece in raw.split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def require_support(type_name: str, resource_name: str) -> None:
    found = sdk_version()
    if found < GET_MIN_SDK:
        need = ".".join(map(str, GET_MIN_SDK))
        have = ".".join(map(str, found))
        raise InputError(
            f"{type_name} {resource_name!r}: {type_name}.get() needs pulumi {need} or newer "
            f"(installed: {have}); upgrade pulumi, or declare the resource (existing settings "
            "are adopted on create)"
        )


def lookup(
    cls: type[R],
    provider: pulumi.dynamic.ResourceProvider,
    resource_name: str,
    id_: pulumi.Input[str],
    opts: pulumi.ResourceOptions | None,
    *,
    outputs: tuple[str, ...],
    known: dict[str, Any],
) -> R:
    """A read-only lookup of ``cls`` by ``id_``: the resource registered with an id and no
    create, its props every output it declares (None) plus what is ``known``."""
    type_name = getattr(provider, "type_name", cls.__name__)
    require_support(type_name, resource_name)
    instance = cls.__new__(cls)
    props = {
        **dict.fromkeys(outputs),
        **known,
        NAME_KEY: resource_name,
        LOOKUP_KEY: True,
    }
    merged = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=id_))
    pulumi.dynamic.Resource.__init__(instance, provider, resource_name, props, merged)
    return instance
