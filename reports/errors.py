"""Errors raised by the reports package."""

from __future__ import annotations


class ReportsError(Exception):
    """Base class for every error raised by the reports package."""


class MailError(ReportsError):
    """The report could not be e-mailed: one line saying why (refused, login, TLS...)."""
