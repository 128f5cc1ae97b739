"""A configuration set made by pulumi-aws, with its VDM options managed by vdm-resources.

Passing ``newsletters.configuration_set_name`` (an Output) rather than the string is what orders
the two: Pulumi creates the set before its options and, on destroy, removes the options before
the set. The set's own ``vdm_options`` argument is left unset and ignored, because one property
must have one owner: pulumi-aws would otherwise see the options written by
``ConfigurationSetVdmOptions`` as drift after a refresh and clear them on the next ``up``.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from vdm_resources import (
    AccountVdmAttributes,
    AccountVdmAttributesDashboardAttributesArgs,
    AccountVdmAttributesGuardianAttributesArgs,
    ConfigurationSetVdmOptions,
    ConfigurationSetVdmOptionsDashboardOptionsArgs,
    ConfigurationSetVdmOptionsGuardianOptionsArgs,
)

account = AccountVdmAttributes(
    "account-vdm",
    vdm_enabled="ENABLED",
    dashboard_attributes=AccountVdmAttributesDashboardAttributesArgs(engagement_metrics="ENABLED"),
    guardian_attributes=AccountVdmAttributesGuardianAttributesArgs(
        optimized_shared_delivery="ENABLED"
    ),
)

newsletters = aws.sesv2.ConfigurationSet(
    "newsletters",
    configuration_set_name="newsletters",
    delivery_options=aws.sesv2.ConfigurationSetDeliveryOptionsArgs(tls_policy="REQUIRE"),
    # ConfigurationSetVdmOptions owns the VDM options of this set.
    opts=pulumi.ResourceOptions(ignore_changes=["vdm_options"]),
)

newsletters_vdm = ConfigurationSetVdmOptions(
    "newsletters-vdm",
    configuration_set_name=newsletters.configuration_set_name,
    dashboard_options=ConfigurationSetVdmOptionsDashboardOptionsArgs(engagement_metrics="DISABLED"),
    guardian_options=ConfigurationSetVdmOptionsGuardianOptionsArgs(
        optimized_shared_delivery="ENABLED"
    ),
    opts=pulumi.ResourceOptions(depends_on=[account]),
)

pulumi.export("configuration_set_arn", newsletters.arn)
pulumi.export("newsletters_vdm", newsletters_vdm.id)
