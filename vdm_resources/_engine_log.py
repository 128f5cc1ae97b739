"""Warnings from inside the provider process that the CLI shows as warnings of the run.

``pulumi.dynamic``'s host never connects to the engine, so ``pulumi.log`` inside a provider only
prints to stderr (shown as plain text, not counted as a warning). The engine starts every
resource plugin with its own gRPC address as the last argument and the Python launcher passes it
through, so a warning can go straight to the engine's ``Log`` service instead.
"""

from __future__ import annotations

import os
import re
import sys

import pulumi

#: How the engine's gRPC address looks on the provider's command line (``127.0.0.1:40123``).
_ADDRESS = re.compile(r"^(\[[0-9a-fA-F:]+\]|[\w.-]+):\d+$")


def _engine_address() -> str | None:
    """The engine's address when running as the dynamic-provider plugin, else None."""
    argv = sys.argv
    if not argv or not argv[0].replace(os.sep, "/").endswith("pulumi/dynamic/__main__.py"):
        return None
    for arg in reversed(argv[1:]):
        if _ADDRESS.match(arg):
            return arg
    return None


def warn(message: str) -> None:
    """Show ``message`` as a warning of the current CLI run, from the provider process.

    Goes straight to the engine's ``Log`` service so the CLI lists it under "Diagnostics" and
    counts it as a warning; anywhere else (unit tests, an engine that cannot be reached) it
    falls back to ``pulumi.log.warn``, which prints it. A warning must never fail a refresh.
    """
    address = _engine_address()
    if address is not None:
        try:
            import grpc
            from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

            with grpc.insecure_channel(address) as channel:
                engine_pb2_grpc.EngineStub(channel).Log(
                    engine_pb2.LogRequest(severity=engine_pb2.WARNING, message=message, urn=""),
                    timeout=5,
                )
            return
        except Exception:  # any failure: fall through to the printed form
            pass
    pulumi.log.warn(message)
