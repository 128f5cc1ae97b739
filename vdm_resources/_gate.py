"""Reporting a read's findings (``VdmRecommendations``' ``warn_on`` and ``fail_on``) only once
the rest of the program has registered.

A Python Pulumi program stops at the first Output that fails. The read behind a gate usually
finishes while other resources of the program are still waiting to register (a ``depends_on``
waits for the dependency's own registration), so raising as soon as the gate matched would end
``pulumi preview`` with those resources never shown: the pull request would see the gate's error
but only part of its diff.

:func:`report_after_registrations` waits until every engine call the program has started is
finished (the engine has then previewed, or under ``pulumi up`` applied, everything else) and
every other component read noted with :func:`expect_report` is done, then logs the warnings and
raises one error for every gate that matched. Warnings wait too, so that a preview reads diff,
then warnings, then the gate, whichever finished first.

The wait watches the Python SDK's list of in-flight engine calls (``RPCManager.rpcs``, internal
to pulumi 3.252): ``tests/engine/test_main_program.py`` pins the behaviour against the real
engine. The SDK itself takes a call off that list while its shutdown loop waits for it, but it
looks at failed Outputs only once that loop is done, so such a call still finishes before the
error stops the program. Should the list disappear in a later SDK, the findings are still
reported and the gate still fails the run, only as early as before.

Failing in the engine instead (a dynamic resource whose ``check`` refuses it) does not help: a
check failure makes the engine abandon the whole deployment at once (``resource ... is
invalid``, a bail in its step generator), so the resources registered after it are missing from
the preview just the same.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi.runtime

#: Consecutive event-loop turns with no engine call in flight before the program counts as
#: settled: enough for an ``apply`` woken by the last registration to register its own
#: resources (each hop through an Output takes a turn or two).
SETTLE_TURNS = 50
#: Turns given to ``pulumi.log`` calls attached to a resource (sent from a task of their own)
#: before a gate error ends the program.
LOG_TURNS = 5


def _in_flight() -> list[asyncio.Future[Any]]:
    """The engine calls (registrations, outputs, invokes) this program started and that have
    not finished; [] when the SDK does not expose them."""
    try:
        from pulumi.runtime.settings import _get_rpc_manager

        rpcs = list(_get_rpc_manager().rpcs)
    except Exception:  # an SDK without the list: nothing to wait for
        return []
    return [f for f in rpcs if isinstance(f, asyncio.Future) and not f.done()]


@dataclass(eq=False)
class _Report:
    resource: pulumi.Resource | None
    warnings: Sequence[str]
    failure: str | None
    error: Callable[[str], Exception]
    done: bool = field(default=False)


@dataclass(eq=False)
class _Run:
    """One program run's reads that may still bring a report, and the reports waiting."""

    reads: list[asyncio.Future[None]] = field(default_factory=list)
    reports: list[_Report] = field(default_factory=list)


#: Keyed by the run's root stack resource (one per program; a new one per ``set_mocks``).
_RUNS: weakref.WeakKeyDictionary[Any, _Run] = weakref.WeakKeyDictionary()


def _run() -> _Run:
    try:
        key = pulumi.runtime.get_root_resource()
    except Exception:  # outside a Pulumi program
        key = None
    if key is None:
        return _Run()
    return _RUNS.setdefault(key, _Run())


def expect_report(read: pulumi.Output[Any]) -> None:
    """Note a read (a component's) whose findings may come in: reports made in the same run
    wait for it, so that all of them are made together (see :func:`report_after_registrations`).
    A read still running also holds its component's ``register_outputs`` call in flight, but
    the SDK takes such calls off its list while it waits for them."""

    async def finished() -> None:
        try:
            await read.future()
        except Exception:  # the read's own failure is reported by the read's Output
            pass

    try:
        task = asyncio.ensure_future(finished())
    except RuntimeError:  # no event loop: not in a Pulumi program
        return
    _run().reads.append(task)


async def registrations_settled(run: _Run | None = None, settle_turns: int = SETTLE_TURNS) -> None:
    """Return once no engine call started by the program (and no read of ``run``) is in flight,
    ``settle_turns`` event loop turns in a row."""
    quiet = 0
    while quiet < settle_turns:
        pending = _in_flight()
        if run is not None:
            pending += [f for f in run.reads if not f.done()]
        if pending:
            quiet = 0
            await asyncio.wait(pending)  # their failures are the SDK's to report, not ours
        else:
            quiet += 1
            await asyncio.sleep(0)


async def report_after_registrations(
    resource: pulumi.Resource | None,
    warnings: Sequence[str],
    failure: str | None,
    error: Callable[[str], Exception],
) -> None:
    """Once the rest of the program has registered: log each of ``warnings`` (attached to
    ``resource``), then, when ``failure`` is set, raise ``error(failure)``.

    Reports of the same run (including those of reads noted with :func:`expect_report` that
    are still running) are made together by the first one to wake: every warning, then one
    error listing every failure (a program stops at its first failed Output, so a second error
    would never be shown); the others return quietly.

    Await it from an Output that nothing else depends on: that Output fails the program when it
    fails, and nothing waits for it, so waiting here cannot deadlock.
    """
    report = _Report(resource, list(warnings), failure, error)
    run = _run()
    run.reports.append(report)
    await registrations_settled(run)
    if report.done:
        return  # made by a report that woke first
    due = list(run.reports)
    run.reports.clear()
    for item in due:
        item.done = True
        for message in item.warnings:
            pulumi.log.warn(message, item.resource)
    failed = [item for item in due if item.failure]
    if not failed:
        return
    if any(item.warnings for item in due):
        for _ in range(LOG_TURNS):
            await asyncio.sleep(0)
    raise failed[0].error("\n".join(item.failure for item in failed if item.failure))
