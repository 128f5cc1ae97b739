"""The main job: Virtual Deliverability Manager for an SES account that already sends mail.

``./scripts/main.sh`` runs it with ``pulumi up`` against the local SESv2 emulator, seeded with the
configuration sets an existing stack would have (``scripts/main-seed.json``). Point the standard
AWS variables at a real account instead and the same program manages it.

Stack config (all optional):
  configurationSets  {name: {dashboard_options: ..., guardian_options: ...}} to manage
  failOn             gate for previews, e.g. {"impact": "HIGH"}: fail while such
                     recommendations are open
"""

from __future__ import annotations

import pulumi

from vdm_resources import AccountVdmAttributes, ConfigurationSetVdmOptions, VdmRecommendations

config = pulumi.Config()
configuration_sets: dict[str, dict[str, object]] = config.get_object("configurationSets") or {
    "marketing": {
        "dashboard_options": {"engagement_metrics": "ENABLED"},
        "guardian_options": {"optimized_shared_delivery": "ENABLED"},
    },
    "transactional": {
        # Engagement tracking rewrites links; transactional mail opts out of it.
        "dashboard_options": {"engagement_metrics": "DISABLED"},
        "guardian_options": {"optimized_shared_delivery": "ENABLED"},
    },
}

account = AccountVdmAttributes(
    "account-vdm",
    vdm_enabled="ENABLED",
    dashboard_attributes={"engagement_metrics": "ENABLED"},
    guardian_attributes={"optimized_shared_delivery": "ENABLED"},
)

options = {
    name: ConfigurationSetVdmOptions(
        f"{name}-vdm",
        configuration_set_name=name,
        opts=pulumi.ResourceOptions(depends_on=[account]),
        **settings,  # type: ignore[arg-type]
    )
    for name, settings in configuration_sets.items()
}

recommendations = VdmRecommendations(
    "deliverability",
    filter={"STATUS": "OPEN"},
    fail_on=config.get_object("failOn"),
)

pulumi.export("region", account.region)
pulumi.export("vdm_enabled", account.vdm_enabled)
pulumi.export(
    "configuration_sets",
    {
        name: {"dashboard": res.dashboard_options, "guardian": res.guardian_options}
        for name, res in options.items()
    },
)
pulumi.export("open_recommendations", recommendations.recommendations)
pulumi.export("open_recommendation_count", recommendations.count)
pulumi.export("high_impact_count", recommendations.high_impact_count)
