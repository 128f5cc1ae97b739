"""The Pulumi program every benchmark stack runs (copied into the stack's directory as
``__main__.py``; never imported by the benchmark itself).

What it declares comes from the stack's config (``bench:*``), so a benchmark changes the
program between two ``pulumi up`` the way a user edits one: ``count`` fully managed
``ConfigurationSetVdmOptions`` named ``<prefix>-0000``..., each flipped by ``dashboard``, after
one ``AccountVdmAttributes`` when ``account`` is true. Nothing is exported: outputs would only
make the CLI slower, and the benchmark reads the emulator, not the stack.
"""

import pulumi

from vdm_resources import AccountVdmAttributes, ConfigurationSetVdmOptions

config = pulumi.Config("bench")
dashboard = config.require("dashboard")
account = None
if config.require_bool("account"):
    account = AccountVdmAttributes(
        "account",
        vdm_enabled="ENABLED",
        dashboard_attributes={"engagement_metrics": dashboard},
        guardian_attributes={"optimized_shared_delivery": "ENABLED"},
    )
after_account = pulumi.ResourceOptions(depends_on=[account] if account else None)
prefix = config.require("prefix")
for i in range(config.require_int("count")):
    ConfigurationSetVdmOptions(
        f"{prefix}-{i:04d}-vdm",
        configuration_set_name=f"{prefix}-{i:04d}",
        dashboard_options={"engagement_metrics": dashboard},
        guardian_options={"optimized_shared_delivery": "ENABLED"},
        opts=after_account,
    )
