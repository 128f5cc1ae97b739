"""One program, two regions: VDM settings are per account *and region*, so each region gets its
own ``AccountVdmAttributes`` and each set's options name the region the set lives in.

Every resource passes ``region=`` explicitly, so the stack's ``aws:region`` (if any) does not
matter, and a typo in one region cannot silently land in another. Two ``AccountVdmAttributes``
for the same region would overwrite each other; the program refuses that at preview.
"""

from __future__ import annotations

import pulumi

from vdm_resources import AccountVdmAttributes, ConfigurationSetVdmOptions, VdmRecommendations

#: Region -> the configuration sets (already existing there) whose VDM options this stack manages.
REGIONS: dict[str, list[str]] = {
    "us-west-2": ["marketing"],
    "eu-west-1": ["marketing-eu", "transactional-eu"],
}

for region, set_names in REGIONS.items():
    account = AccountVdmAttributes(
        f"account-vdm-{region}",
        region=region,
        vdm_enabled="ENABLED",
        dashboard_attributes={"engagement_metrics": "ENABLED"},
        guardian_attributes={"optimized_shared_delivery": "ENABLED"},
    )
    sets = {
        name: ConfigurationSetVdmOptions(
            f"{name}-vdm",
            region=region,
            configuration_set_name=name,
            guardian_options={"optimized_shared_delivery": "ENABLED"},
            opts=pulumi.ResourceOptions(depends_on=[account]),
        )
        for name in set_names
    }
    recommendations = VdmRecommendations(
        f"deliverability-{region}", region=region, filter={"STATUS": "OPEN"}
    )
    pulumi.export(
        region,
        {
            "account_id": account.id,
            "vdm_enabled": account.vdm_enabled,
            "configuration_sets": {name: res.id for name, res in sets.items()},
            "open_recommendations": recommendations.count,
        },
    )
