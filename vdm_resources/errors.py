"""The project's error hierarchy.

Pulumi prints an exception raised by a dynamic provider as the resource's error. Keeping every
expected failure inside this small hierarchy lets the provider entry points turn them into one
readable line (resource, operation, target, AWS's message) instead of a Python traceback, and lets
callers catch "the AWS side said no" separately from programming errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi


class VdmError(Exception):
    """Base class: every failure this package expects to happen in normal operation."""


class VdmValidationError(VdmError, ValueError):
    """Input that can never succeed; raised before any API call is made."""


class VdmApiError(VdmError):
    """AWS answered with an error, or could not be reached after bounded retries."""

    def __init__(self, message: str, *, code: str = "", operation: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.operation = operation


class VdmNotFoundError(VdmApiError):
    """The target (typically a configuration set) does not exist in that region."""


class VdmThrottledError(VdmApiError):
    """Still throttled after every retry: the caller exceeded AWS's rate for too long."""


class VdmGateError(VdmError):
    """A deliverability gate (``fail_on``) matched: the run must stop, on purpose."""


# Failures of the read-only components, which run in the program process: a ``pulumi.RunError``
# is what the Python language host prints as the message alone, without a traceback.


class InputError(VdmValidationError, pulumi.RunError):
    """Invalid component input.

    Also a ``pulumi.RunError`` so the Python language host prints the message alone rather than
    "Program failed with an unhandled exception" and a traceback pointing into this package.
    """


class LateInputError(VdmError, pulumi.RunError):
    """Invalid input found only once an Output input resolved.

    Not a ``VdmValidationError``: that is a ``ValueError``, and Pulumi re-wraps a ValueError
    raised while it serializes outputs into "While processing input ..." with a traceback.
    """


class ReadError(VdmApiError, pulumi.RunError):
    """The read failed after ``_aws.call``'s retries; a ``RunError`` so Pulumi prints one line."""


class RecommendationGateError(VdmGateError, pulumi.RunError):
    """``fail_on`` matched. A ``RunError`` so Pulumi prints just the text."""


class MetricQueryError(VdmApiError, pulumi.RunError):
    """``fail_on_error`` and some queries failed; a ``RunError`` so Pulumi prints just the text."""


def case_hint(value: Any, allowed: Sequence[str], what: str) -> str:
    """`` (<what>: 'X')`` when ``value`` is one of ``allowed`` but for its case, else "".

    The commonest slip with AWS's names is the case (``'enabled'``, ``'status'``); saying so
    beats listing the allowed values the user already almost typed.
    """
    if not isinstance(value, str) or value in allowed:
        return ""
    folded = value.lower().replace("-", "_")
    for name in allowed:
        if name.lower() == folded or name.lower().replace("_", "") == folded.replace("_", ""):
            return f" ({what}: {name!r})"
    return ""
