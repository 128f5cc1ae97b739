"""Running a component under ``pulumi.runtime.set_mocks``: resource registration is mocked,
while the component's own reads still go over HTTP to the emulator."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pulumi


class ComponentMocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


def run_component(
    build: Callable[[], Any], names: Sequence[str], *, preview: bool = False
) -> dict[str, Any]:
    """Run ``build`` under mocks and return the component's resolved outputs ``names``."""
    pulumi.runtime.set_mocks(ComponentMocks(), preview=preview)
    seen: dict[str, Any] = {}

    @pulumi.runtime.test  # type: ignore[misc]
    def program() -> pulumi.Output[Any]:
        comp = build()
        outs = [getattr(comp, name) for name in names]
        return pulumi.Output.all(*outs).apply(
            lambda vals: seen.update(zip(names, vals, strict=True))
        )

    program()
    return seen
