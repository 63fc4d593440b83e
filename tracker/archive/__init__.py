"""The archive: feeds, articles, runs and reports kept beside the event log.

`Archive` is the interface the jobs use; `tracker.archive.sqlite_archive` holds its
SQLite adapter, which only the command line's composition root picks.
"""

from tracker.archive.interface import Archive

__all__ = ["Archive"]
