"""From a feed's location to articles: fetching (http, files, TLS, back-off), parsing
with feedparser, HTML to text, and entries normalised into `tracker.model.Article`.

This package knows nothing of the event log, the archive or the command line: it
imports only the shared types (`tracker.model`), errors and text hygiene.
"""
