"""The project's error hierarchy.

Pulumi prints an exception raised by a dynamic provider as the resource's error. Keeping every
expected failure inside this small hierarchy lets the provider entry points turn them into one
readable line (resource, operation, target, AWS's message) instead of a Python traceback, and lets
callers catch "the AWS side said no" separately from programming errors.
"""

from __future__ import annotations


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
