"""The jobs: ingest feed bytes, poll the due feeds, write the daily report, and
schedule both under `tracker run` (with its single-instance lock).

Jobs combine the stages (`tracker.feeds`, `tracker.extract`, `tracker.archive`, the
event store); they take their archive and store from the caller, the command line.
"""
