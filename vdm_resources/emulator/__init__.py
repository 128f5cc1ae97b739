"""Local Amazon SESv2 emulator with Virtual Deliverability Manager (VDM) support.

Built on moto's SESv2 backend and laid out like a moto service. It is the project's test
backend and the endpoint examples run against by default. Importing this package is cheap;
moto is only imported by the modules that need it, so ``client`` and ``testing`` can be used
from processes that never load moto.

- ``models``: the backend (AWS's rules); ``recommendations``: ListRecommendations' rules;
  ``responses``: parse requests and serialize replies; ``exceptions``: every error;
  ``validation``: input checks from botocore's model.
- ``sts``: AssumeRole and GetCallerIdentity at the same address; ``signing``: what is read of a
  request's signature (access key id, region, account).
- ``synthetic``: the data the emulator invents (metric values, recommendations);
  ``state``: seed and state documents, the state file; ``settings``: behaviour switches.
- ``app``: the WSGI application (the way of one request); ``server``: HTTP server and CLI;
  ``control``: the ``/_vdm`` endpoint; ``ratelimit``, ``faults``, ``load``, ``requestlog``:
  what it does to and records about each call.
- ``testing.start_emulator`` (subprocess for tests), ``client.ControlClient`` (``/_vdm``).
"""
