"""One program, two accounts: a platform team's production and staging SES, each reached by
assuming a role there, as pulumi-aws providers with ``assume_roles=[...]`` would.

VDM settings are per account *and* region: each account gets its own ``AccountVdmAttributes``
in the same region, its sets' options and its open recommendations. Credentials come from STS
in the process that calls, are refreshed before they expire, and never reach the state.
"""

from __future__ import annotations

import pulumi

from vdm_resources import (
    AccountVdmAttributes,
    AssumeRoleArgs,
    ConfigurationSetVdmOptions,
    VdmRecommendations,
)

REGION = "eu-north-1"
#: Account name -> the role this program assumes there, and the sets (existing there) it manages.
ACCOUNTS: dict[str, tuple[str, list[str]]] = {
    "prod": ("arn:aws:iam::111111111111:role/ses-admin", ["marketing"]),
    "staging": ("arn:aws:iam::222222222222:role/ses-admin", ["marketing", "qa"]),
}

for env, (role_arn, set_names) in ACCOUNTS.items():
    role = AssumeRoleArgs(role_arn=role_arn, session_name=f"vdm-{env}")
    account = AccountVdmAttributes(
        f"{env}-vdm",
        vdm_enabled="ENABLED",
        dashboard_attributes={"engagement_metrics": "ENABLED"},
        region=REGION,
        assume_role=role,
    )
    sets = {
        name: ConfigurationSetVdmOptions(
            f"{env}-{name}-vdm",
            configuration_set_name=name,
            guardian_options={"optimized_shared_delivery": "ENABLED"},
            region=REGION,
            assume_role=role,
            opts=pulumi.ResourceOptions(depends_on=[account]),
        )
        for name in set_names
    }
    recommendations = VdmRecommendations(
        f"{env}-deliverability", region=REGION, assume_role=role, filter={"STATUS": "OPEN"}
    )
    pulumi.export(
        env,
        {
            "id": account.id,
            "account_id": account.account_id,
            "configuration_sets": {name: res.account_id for name, res in sets.items()},
            "open_recommendations": recommendations.count,
        },
    )
