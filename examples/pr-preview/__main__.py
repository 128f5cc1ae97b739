"""The program a pull request changes, previewed in CI with a deliverability gate.

``vdm-preview.yml`` (next to this file) turns the gate on for the preview only, with
``pulumi config set --path failOn.impact HIGH``; a ``pulumi up`` on the main branch runs without
it. ``warn_on`` lists the low-impact recommendations as warnings without failing anything.

A preview that the gate fails still shows the complete diff before the error: the component
fails the run only once every other resource of the program is registered.
"""

from __future__ import annotations

import pulumi

from vdm_resources import AccountVdmAttributes, ConfigurationSetVdmOptions, VdmRecommendations

account = AccountVdmAttributes(
    "account-vdm",
    vdm_enabled="ENABLED",
    dashboard_attributes={"engagement_metrics": "ENABLED"},
)

marketing = ConfigurationSetVdmOptions(
    "marketing-vdm",
    configuration_set_name="marketing",
    dashboard_options={"engagement_metrics": "ENABLED"},
    opts=pulumi.ResourceOptions(depends_on=[account]),
)

transactional = ConfigurationSetVdmOptions(
    "transactional-vdm",
    configuration_set_name="transactional",
    guardian_options={"optimized_shared_delivery": "DISABLED"},
    opts=pulumi.ResourceOptions(depends_on=[account]),
)

recommendations = VdmRecommendations(
    "deliverability",
    filter={"STATUS": "OPEN"},
    fail_on=pulumi.Config().get_object("failOn"),
    warn_on={"impact": "LOW"},
)

pulumi.export("open_recommendation_count", recommendations.count)
pulumi.export("high_impact_count", recommendations.high_impact_count)
