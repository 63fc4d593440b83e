"""Rendering of the daily report (HTML page, e-mail, Atom feed) from replayed state."""
