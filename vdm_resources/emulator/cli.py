"""The ``vdm-emulator`` command's entry point: the one place that may run without moto.

The emulator is an optional extra; ``pip install vdm-resources`` installs the command but not
moto. Checking for the extra before importing the server turns what would be a
``ModuleNotFoundError`` traceback into one line that says what to install.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Sequence

#: The emulator extra's top-level modules (pyproject.toml, ``[project.optional-dependencies]``).
EXTRA_MODULES = ("moto", "werkzeug")


def missing_modules() -> list[str]:
    missing = []
    for name in EXTRA_MODULES:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):  # a module set to None in sys.modules, a broken one
            found = False
        if not found:
            missing.append(name)
    return missing


def main(argv: Sequence[str] | None = None) -> int:
    missing = missing_modules()
    if missing:
        names = ", ".join(missing)
        print(
            f"vdm-emulator: the emulator needs the 'emulator' extra (missing: {names}); "
            "install it with: pip install 'vdm-resources[emulator]'",
            file=sys.stderr,
        )
        return 2
    from .server import main as serve

    return serve(list(argv) if argv is not None else None)
