"""Local Amazon SESv2 emulator with Virtual Deliverability Manager (VDM) support.

Built on moto's SESv2 backend. It is the project's test backend and the endpoint examples
run against by default. Importing this package is cheap; moto is only imported by the
modules that need it (``models``, ``responses``, ``server``), so ``client`` and ``testing``
can be used from processes that never load moto.

Entry points:

- ``vdm-emulator serve`` / ``python -m vdm_resources.emulator serve`` (``server.main``)
- ``vdm_resources.emulator.testing.start_emulator`` (subprocess for tests)
- ``vdm_resources.emulator.client.ControlClient`` (the ``/_vdm`` control endpoint)
- ``vdm_resources.emulator.models.metric_value`` / ``generate_recommendations``
"""
