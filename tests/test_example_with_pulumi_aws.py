"""``examples/with-pulumi-aws`` under ``pulumi.runtime.set_mocks``.

The pulumi-aws provider plugin cannot be installed in this project's offline set-up, so the
engine cannot run this example. Mocks run the program unchanged and show what the engine would
be asked to do: which resources, with which inputs, depending on what. That is the example's
point (the wiring); what the two VDM resources then do in AWS is the engine tests' subject,
since mocks never call a dynamic provider.
"""

from __future__ import annotations

import runpy
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pytest
from pulumi.runtime.mocks import MockMonitor

from tests.readme_blocks import EXAMPLES
from vdm_resources import _ownership

PROGRAM = EXAMPLES / "with-pulumi-aws" / "__main__.py"
SET_TYPE = "aws:sesv2/configurationSet:ConfigurationSet"
OPTIONS_TYPE = "pulumi-python:dynamic/sesv2:ConfigurationSetVdmOptions"
ACCOUNT_TYPE = "pulumi-python:dynamic/sesv2:AccountVdmAttributes"


@dataclass
class Registration:
    type: str
    name: str
    inputs: dict[str, Any]
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    ignore_changes: list[str]
    urn: str = ""


class RecordingMonitor(MockMonitor):  # type: ignore[misc]
    """The SDK's mock monitor, also keeping what each RegisterResource request carried beyond
    the inputs (dependencies and resource options), which ``Mocks.new_resource`` never sees."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.requests: list[tuple[Any, str]] = []

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        self.requests.append((request, response.urn))
        return response


@dataclass
class AwsMocks(pulumi.runtime.Mocks):
    """Answers like the providers would: pulumi-aws's set gets its ARN; the dynamic resources
    echo their inputs (which is what their outputs hold, minus live values)."""

    seen: dict[str, dict[str, Any]] = field(default_factory=dict)

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.seen[args.name] = dict(args.inputs)
        state = dict(args.inputs)
        if args.typ == SET_TYPE:
            name = args.inputs["configurationSetName"]
            state["arn"] = f"arn:aws:ses:us-east-1:123456789012:configuration-set/{name}"
            return name, state
        if args.typ == OPTIONS_TYPE:
            return str(args.inputs["configuration_set_name"]), state
        return "us-east-1", state

    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


@pytest.fixture(scope="module")
def run() -> tuple[dict[str, Registration], dict[str, Any]]:
    """Run the example once; returns its registrations by name and its resolved globals."""
    _ownership.reset_claims()
    mocks = AwsMocks()
    monitor = RecordingMonitor(mocks)
    pulumi.runtime.set_mocks(mocks, project="vdm-with-pulumi-aws", stack="test", monitor=monitor)
    resolved: dict[str, Any] = {}

    @pulumi.runtime.test  # type: ignore[misc]
    def program() -> pulumi.Output[Any]:
        ns = runpy.run_path(str(PROGRAM), run_name="__main__")
        resolved.update(ns)
        res = ns["newsletters_vdm"]
        return pulumi.Output.all(
            ns["newsletters"].arn, res.id, res.dashboard_options, res.guardian_options
        ).apply(lambda values: resolved.update(outputs=values))

    program()
    _ownership.reset_claims()
    regs: dict[str, Registration] = {}
    for req, urn in monitor.requests:
        if req.type == "pulumi:pulumi:Stack":
            continue
        regs[req.name] = Registration(
            type=req.type,
            name=req.name,
            inputs=mocks.seen.get(req.name, {}),
            dependencies=list(req.dependencies),
            property_dependencies={k: list(v.urns) for k, v in req.propertyDependencies.items()},
            ignore_changes=list(req.ignoreChanges),
            urn=urn,
        )
    return regs, resolved


def test_registers_the_set_the_account_and_the_options(
    run: tuple[dict[str, Registration], dict[str, Any]],
) -> None:
    regs, _ = run
    assert {n: r.type for n, r in regs.items()} == {
        "account-vdm": ACCOUNT_TYPE,
        "newsletters": SET_TYPE,
        "newsletters-vdm": OPTIONS_TYPE,
    }
    # The dynamic resources carry their serialized provider, as the engine would store it.
    assert regs["newsletters-vdm"].inputs["__provider"]
    assert regs["account-vdm"].inputs["__provider"]


def test_typed_args_arrive_as_snake_case_dicts(
    run: tuple[dict[str, Registration], dict[str, Any]],
) -> None:
    regs, _ = run
    options = regs["newsletters-vdm"].inputs
    assert options["configuration_set_name"] == "newsletters"
    assert options["dashboard_options"] == {"engagement_metrics": "DISABLED"}
    assert options["guardian_options"] == {"optimized_shared_delivery": "ENABLED"}
    account = regs["account-vdm"].inputs
    assert account["vdm_enabled"] == "ENABLED"
    assert account["dashboard_attributes"] == {"engagement_metrics": "ENABLED"}
    assert account["guardian_attributes"] == {"optimized_shared_delivery": "ENABLED"}


def test_options_wait_for_the_set_and_the_account(
    run: tuple[dict[str, Registration], dict[str, Any]],
) -> None:
    """These edges are what order creation (set, then options) and destruction (options, then
    set): the engine deletes dependents before what they depend on."""
    regs, _ = run
    options = regs["newsletters-vdm"]
    set_urn, account_urn = regs["newsletters"].urn, regs["account-vdm"].urn
    assert options.property_dependencies["configuration_set_name"] == [set_urn]
    assert set(options.dependencies) >= {set_urn, account_urn}
    assert regs["newsletters"].dependencies == []


def test_the_set_leaves_vdm_options_to_vdm_resources(
    run: tuple[dict[str, Registration], dict[str, Any]],
) -> None:
    regs, _ = run
    the_set = regs["newsletters"]
    assert "vdmOptions" not in the_set.inputs
    assert the_set.ignore_changes == ["vdmOptions"]
    assert the_set.inputs["deliveryOptions"] == {"tlsPolicy": "REQUIRE"}


def test_outputs_resolve(run: tuple[dict[str, Registration], dict[str, Any]]) -> None:
    _, resolved = run
    arn, options_id, dashboard, guardian = resolved["outputs"]
    assert arn == "arn:aws:ses:us-east-1:123456789012:configuration-set/newsletters"
    assert options_id == "newsletters"
    assert dashboard == {"engagement_metrics": "DISABLED"}
    assert guardian == {"optimized_shared_delivery": "ENABLED"}
