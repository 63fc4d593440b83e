"""tracker: follow company deals through the news, from an append-only event log."""

__version__ = "0.2.0"
