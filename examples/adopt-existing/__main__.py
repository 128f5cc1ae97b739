"""Taking over VDM settings that someone already configured (console, CLI, another tool).

There is no import step: ``AccountVdmAttributes`` and ``ConfigurationSetVdmOptions`` adopt on
create. Create reads what exists, keeps it in ``previous_vdm_attributes`` /
``previous_vdm_options``, then writes the declared values; declare what is there and the first
``up`` changes nothing in AWS. (``pulumi import`` and ``import_=`` cannot work for Python
dynamic resources: pulumi/pulumi#16175.)

Both resources also choose what happens if this stack ever lets go of them:
``restore_on_delete=True`` puts the account back the way it was found, and
``retain_on_delete=True`` leaves the set's options exactly as they are.
"""

from __future__ import annotations

import pulumi

from vdm_resources import AccountVdmAttributes, ConfigurationSetVdmOptions

# What `aws sesv2 get-account` shows under VdmAttributes today.
account = AccountVdmAttributes(
    "account-vdm",
    vdm_enabled="ENABLED",
    dashboard_attributes={"engagement_metrics": "ENABLED"},
    guardian_attributes={"optimized_shared_delivery": "DISABLED"},
    restore_on_delete=True,
)

# What `aws sesv2 get-configuration-set --configuration-set-name legacy` shows under VdmOptions.
legacy = ConfigurationSetVdmOptions(
    "legacy-vdm",
    configuration_set_name="legacy",
    dashboard_options={"engagement_metrics": "DISABLED"},
    guardian_options={"optimized_shared_delivery": "ENABLED"},
    opts=pulumi.ResourceOptions(depends_on=[account], retain_on_delete=True),
)

pulumi.export("previous_vdm_attributes", account.previous_vdm_attributes)
pulumi.export("previous_vdm_options", legacy.previous_vdm_options)
