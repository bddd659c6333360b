"""The error type every job turns into one line on stderr and exit code 2."""

from __future__ import annotations


class UserError(Exception):
    """A problem with the user's input or environment; printed as one line, exit code 2."""
