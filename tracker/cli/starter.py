"""The starter `tracker.toml` written by `tracker init`."""

from __future__ import annotations

from pathlib import Path

from tracker.errors import TrackerError

STARTER_CONFIG = """\
# tracker configuration: see the README, section "Configuration".

[tracker]
database = "tracker.db"     # relative to this file
timezone = "UTC"            # reports, --as-of days and --date use this zone
reports_dir = "reports"
max_feed_bytes = 20000000   # cap on one HTTP response, after decompression

[schedule]
poll_every = "15m"          # 30s, 15m, 1h
report_at = "07:00"         # local time in [tracker].timezone

# [email]                   # uncomment to e-mail the daily report
# smtp_host = "localhost"
# smtp_port = 25
# sender = "tracker@example.org"
# to = ["desk@example.org"]
# starttls = false
# username = ""             # the password is read from TRACKER_SMTP_PASSWORD

# [report]                  # uncomment once reports_dir is served on the web
# base_url = "https://example.org/deals/"   # absolute links in the e-mail and feed.atom

# [[feeds]]
# name = "tech-fr"
# url = "https://example.org/rss.xml"   # http(s) URL or a file path
# language = "fr"                       # optional hint

[[deals]]
id = "microsoft-tiktok"
title = "Microsoft / TikTok US"
acquirer = "Microsoft"
target = "TikTok"
seller = "ByteDance"
aliases = ["ByteDance"]
"""


def write_starter_config(path: Path, *, force: bool = False) -> None:
    """Write the starter config at `path`; refuse to overwrite unless `force`."""
    if path.exists() and not force:
        raise TrackerError(f"{path} already exists (use --force to overwrite it)")
    if not path.parent.is_dir():
        raise TrackerError(f"cannot write {path}: folder {path.parent} does not exist")
    path.write_text(STARTER_CONFIG, encoding="utf-8")
