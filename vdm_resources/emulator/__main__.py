"""``python -m vdm_resources.emulator serve ...`` runs the same CLI as ``vdm-emulator``."""

from .cli import main

raise SystemExit(main())
