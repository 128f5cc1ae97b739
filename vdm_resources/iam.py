"""The least IAM permissions each resource and component needs, as data.

Kept as data (not prose) so that a test can hold it against the calls the code really makes:
every SESv2 operation seen in the emulator's request log while exercising a resource must be
listed here for it, and every action listed must have been seen. A policy that drifts from
the code fails that test instead of failing a user's ``pulumi up`` with AccessDenied.

All six actions are documented for resource ``*`` here. The configuration-set actions also
accept configuration-set ARNs (``arn:aws:ses:<region>:<account>:configuration-set/<name>``),
which :func:`policy_document` can narrow them to.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

#: resource or component -> Pulumi operation -> IAM actions it calls.
POLICY: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "AccountVdmAttributes": {
        # create records what was there before writing (previous_vdm_attributes).
        "create": ("ses:GetAccount", "ses:PutAccountVdmAttributes"),
        "read": ("ses:GetAccount",),
        # update and delete read first to send the unmanaged nested attributes back as they are
        # (whether AWS keeps or resets an omitted one is undocumented).
        "update": ("ses:GetAccount", "ses:PutAccountVdmAttributes"),
        "delete": ("ses:GetAccount", "ses:PutAccountVdmAttributes"),
    },
    "ConfigurationSetVdmOptions": {
        # create reads the set (a preview also reads it once, to warn when it does not exist).
        "create": ("ses:GetConfigurationSet", "ses:PutConfigurationSetVdmOptions"),
        "read": ("ses:GetConfigurationSet",),
        # update and delete read first when some option is not managed, to send it back.
        "update": ("ses:GetConfigurationSet", "ses:PutConfigurationSetVdmOptions"),
        "delete": ("ses:GetConfigurationSet", "ses:PutConfigurationSetVdmOptions"),
    },
    "VdmRecommendations": {"read": ("ses:ListRecommendations",)},
    "VdmMetrics": {"read": ("ses:BatchGetMetricData",)},
}

#: Actions whose Resource can be narrowed to configuration-set ARNs.
CONFIGURATION_SET_ACTIONS = frozenset(
    {"ses:GetConfigurationSet", "ses:PutConfigurationSetVdmOptions"}
)


def actions(names: Iterable[str] | None = None) -> list[str]:
    """The sorted, de-duplicated actions for the named resources/components (default: all)."""
    selected = list(POLICY) if names is None else list(names)
    unknown = [n for n in selected if n not in POLICY]
    if unknown:
        raise KeyError(f"no IAM policy for {', '.join(unknown)}; known: {', '.join(POLICY)}")
    return sorted({a for n in selected for ops in POLICY[n].values() for a in ops})


def operations(names: Iterable[str] | None = None) -> list[str]:
    """The SESv2 operations behind :func:`actions` (``ses:GetAccount`` -> ``GetAccount``)."""
    return [a.split(":", 1)[1] for a in actions(names)]


def policy_document(
    names: Iterable[str] | None = None,
    configuration_set_arns: Sequence[str] | None = None,
) -> dict[str, Any]:
    """An IAM policy document allowing exactly what the named resources/components call.

    One statement per resource type keeps the policy readable next to the program that uses
    it. ``configuration_set_arns`` narrows the configuration-set actions to those sets.
    """
    selected = list(POLICY) if names is None else list(names)
    statements = []
    for name in selected:
        granted = actions([name])
        resource: str | list[str] = "*"
        if configuration_set_arns and set(granted) <= CONFIGURATION_SET_ACTIONS:
            resource = sorted(configuration_set_arns)
        statements.append({"Sid": name, "Effect": "Allow", "Action": granted, "Resource": resource})
    return {"Version": "2012-10-17", "Statement": statements}


OPERATIONS = ("create", "read", "update", "delete")


def policy_table() -> str:
    """The per-operation actions as a Markdown table (the README shows it)."""
    lines = [
        "| resource / component | " + " | ".join(OPERATIONS) + " |",
        "|---|" + "---|" * len(OPERATIONS),
    ]
    for name, ops in POLICY.items():
        cells = [", ".join(f"`{a}`" for a in ops.get(op, ())) or "-" for op in OPERATIONS]
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def policy_json(
    names: Iterable[str] | None = None,
    configuration_set_arns: Sequence[str] | None = None,
) -> str:
    """:func:`policy_document` as the JSON text to paste into IAM."""
    return json.dumps(policy_document(names, configuration_set_arns), indent=2)


if __name__ == "__main__":  # python -m vdm_resources.iam
    print(policy_json())
