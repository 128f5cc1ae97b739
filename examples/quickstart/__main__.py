"""Quickstart: the shape of the root program, with everything written out in code, plus a week
of metrics.

The account-level settings come first and the two configuration sets' options wait for them
(``depends_on``): a set's ``DISABLED`` override has been reported to fail while account-level VDM
is still off. The sets themselves already exist (``scripts/main-seed.json`` seeds them in the
emulator); this program only manages their VDM options.
"""

from __future__ import annotations

import pulumi

from vdm_resources import (
    AccountVdmAttributes,
    ConfigurationSetVdmOptions,
    VdmMetrics,
    VdmRecommendations,
)

account = AccountVdmAttributes(
    "account-vdm",
    vdm_enabled="ENABLED",
    dashboard_attributes={"engagement_metrics": "ENABLED"},
    guardian_attributes={"optimized_shared_delivery": "ENABLED"},
)

marketing = ConfigurationSetVdmOptions(
    "marketing-vdm",
    configuration_set_name="marketing",
    dashboard_options={"engagement_metrics": "ENABLED"},
    guardian_options={"optimized_shared_delivery": "ENABLED"},
    opts=pulumi.ResourceOptions(depends_on=[account]),
)

transactional = ConfigurationSetVdmOptions(
    "transactional-vdm",
    configuration_set_name="transactional",
    # Engagement tracking rewrites links; transactional mail opts out of it.
    dashboard_options={"engagement_metrics": "DISABLED"},
    opts=pulumi.ResourceOptions(depends_on=[account]),
)

recommendations = VdmRecommendations(
    "deliverability",
    filter={"STATUS": "OPEN"},
    fail_on=pulumi.Config().get_object("failOn"),  # e.g. {"impact": "HIGH"}
)

# The last 7 complete UTC days of the marketing set's mail, and the rates derived from them.
marketing_metrics = VdmMetrics(
    "marketing-last-7-days",
    metrics=["SEND", "DELIVERY", "PERMANENT_BOUNCE", "TRANSIENT_BOUNCE", "COMPLAINT"],
    dimensions={"CONFIGURATION_SET": "marketing"},
    last_days=7,
)

pulumi.export("region", account.region)
pulumi.export("vdm_enabled", account.vdm_enabled)
pulumi.export("marketing", marketing.dashboard_options)
pulumi.export("transactional", transactional.dashboard_options)
pulumi.export("open_recommendation_count", recommendations.count)
pulumi.export("high_impact_count", recommendations.high_impact_count)
pulumi.export("marketing_rates", marketing_metrics.rates)
