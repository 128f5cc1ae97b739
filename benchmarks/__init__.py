"""How close a ``pulumi up`` of vdm-resources gets to the floor AWS's rate limits set.

AWS allows the SES management calls these resources make 1 call/s per (account, region,
operation), so N writes cannot take less than N seconds: that floor, not our code, bounds a
large stack, and an account's budget is shared by every program using it. The package measures
real stacks through the real ``pulumi`` CLI against the bundled SESv2 emulator enforcing AWS's
limits, and judges the results against the targets in ``targets``.

- ``stack``: one Pulumi project driven through the CLI (set-up by the Automation API).
- ``program``: the Pulumi program those stacks run.
- ``calls``: the emulator's request log as counts, and the floor they imply.
- ``phases``: create, no-op preview, update, refresh, destroy of one stack per N.
- ``shared``: K programs at once on one account; one program beside an outside client.
- ``overhead``: the provider's own CPU per operation, in-process, botocore's part excluded.
- ``targets``, ``report``, ``plot``: the judgement, the markdown (and README block), the PNGs.
- ``cli``: ``python -m benchmarks --help``.
"""
