"""Loading and validating `tracker.toml` (see DESIGN.md for the format).

Every problem becomes one `ConfigError` naming the file and the key, e.g.
`tracker.toml: [schedule].poll_every: expected a duration like 30s, 15m or 1h, got '5x'`.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from events.postgres_url import check_postgres_url, redacted
from tracker.errors import ConfigError
from tracker.model import FULL_TEXT, Deal, Feed
from tracker.text import printable

CONFIG_ENV = "TRACKER_CONFIG"
DATABASE_URL_ENV = "TRACKER_DATABASE_URL"  # a postgresql:// URL; wins over [tracker].database
DEFAULT_CONFIG_NAME = "tracker.toml"
_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|h|d)\s*$")
_DURATION_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_DEAL_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


@dataclass(frozen=True)
class Schedule:
    """When `tracker run` polls and reports."""

    poll_every: int = 900
    report_at: tuple[int, int] = (7, 0)


@dataclass(frozen=True)
class Email:
    """Where the daily report is sent; the password comes from TRACKER_SMTP_PASSWORD."""

    smtp_host: str = "localhost"
    smtp_port: int = 25
    sender: str = "tracker@localhost"
    to: tuple[str, ...] = ()
    starttls: bool = False
    username: str = ""


@dataclass(frozen=True)
class Config:
    """The whole configuration, with paths made absolute."""

    path: Path
    database: Path
    timezone: str = "UTC"
    reports_dir: Path = Path("reports")
    max_feed_bytes: int = 20_000_000
    max_pages_per_poll: int = 200
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    schedule: Schedule = field(default_factory=Schedule)
    email: Email | None = None
    base_url: str | None = None  # [report]: where reports_dir is served, ending in "/"
    feeds: tuple[Feed, ...] = ()
    deals: tuple[Deal, ...] = ()
    found: bool = True
    #: a postgresql:// URL: the log and archive on that server instead of `database`
    database_url: str | None = None

    @property
    def database_label(self) -> str:
        """The database as messages name it: the file, or the URL without its password."""
        return redacted(self.database_url) if self.database_url else str(self.database)

    @property
    def zone(self) -> ZoneInfo:
        """The configured time zone."""
        return ZoneInfo(self.timezone)

    def deal(self, deal_id: str) -> Deal | None:
        """Return the configured deal with this id, or None."""
        return next((deal for deal in self.deals if deal.id == deal_id), None)


def find_config_path(explicit: str | os.PathLike[str] | None) -> tuple[Path, bool]:
    """Return the config path to use and whether the user named it explicitly."""
    if explicit:
        return Path(explicit), True
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV]), True
    return Path(DEFAULT_CONFIG_NAME), False


def load_config(path: Path, *, must_exist: bool = True) -> Config:
    """Read and validate the config at `path`; defaults when absent and not required."""
    if not path.exists():
        if must_exist:
            raise ConfigError(path, None, "no such file (create one with `tracker init`)")
        return _database_from_environment(Config(
            path=path.absolute(), database=path.absolute().parent / "tracker.db",
            reports_dir=path.absolute().parent / "reports", found=False))
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(path, None, f"cannot read: {error}") from None
    return _database_from_environment(config_from_text(path, text))


def _database_from_environment(config: Config) -> Config:
    """`$TRACKER_DATABASE_URL`, when set, replaces the configured database."""
    url = os.environ.get(DATABASE_URL_ENV, "").strip()
    if not url:
        return config
    try:
        check_postgres_url(url)
    except ValueError as error:  # not the value itself: it may hold a password
        raise ConfigError(f"${DATABASE_URL_ENV}", None,
                          f"expected a postgresql:// URL: {error}") from None
    return replace(config, database_url=url)


def config_from_text(path: Path, text: str) -> Config:
    """Validate `text` as the config at `path` would be (an edit is checked before it is
    written)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, None, f"not valid TOML: {error}") from None
    return _Reader(path).config(raw)


class _Reader:
    """Validates the parsed TOML of one file, naming the file and key on error."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.base = path.absolute().parent

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(self.path, key, problem)

    def table(self, raw: dict[str, Any], name: str, allowed: set[str]) -> dict[str, Any]:
        section = raw.get(name, {})
        if not isinstance(section, dict):
            raise self.fail(f"[{name}]", "must be a table")
        self.reject_unknown(section, allowed, f"[{name}]")
        return section

    def reject_unknown(self, section: dict[str, Any], allowed: set[str], where: str) -> None:
        for key in section:
            if key not in allowed:
                close = difflib.get_close_matches(key, sorted(allowed), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise self.fail(f"{where}.{key}" if where else key, f"unknown key{hint}")

    def value(self, section: dict[str, Any], where: str, key: str, check: Callable[[Any], Any],
              expected: str, default: Any = None, required: bool = False) -> Any:
        if key not in section:
            if required:
                raise self.fail(f"{where}.{key}", "missing required key")
            return default
        raw = section[key]
        try:
            return check(raw)
        except (TypeError, ValueError):
            raise self.fail(f"{where}.{key}", f"expected {expected}, got {raw!r}") from None

    def config(self, raw: dict[str, Any]) -> Config:
        self.reject_unknown(raw, {"tracker", "schedule", "email", "report", "feeds", "deals"},
                            "")
        t = self.table(raw, "tracker", {"database", "timezone", "reports_dir", "max_feed_bytes",
                                        "max_pages_per_poll", "connect_timeout", "read_timeout"})
        w = "[tracker]"
        timezone = self.value(t, w, "timezone", _zone_name, "an IANA time zone like Europe/Paris",
                              "UTC")
        database = self.value(t, w, "database", _text, "a file path or a postgresql:// URL",
                              "tracker.db")
        url = self.database_url(database)
        return Config(
            path=self.path.absolute(),
            database=self.base / ("tracker.db" if url else database),
            database_url=url,
            timezone=timezone,
            reports_dir=self.base / self.value(t, w, "reports_dir", _text, "a folder path",
                                               "reports"),
            max_feed_bytes=self.value(t, w, "max_feed_bytes", _positive_int,
                                      "a positive integer", 20_000_000),
            max_pages_per_poll=self.value(t, w, "max_pages_per_poll", _count,
                                          "a whole number from 0 to 100000", 200),
            connect_timeout=self.value(t, w, "connect_timeout", _seconds,
                                       "a number of seconds from 0 to 3600", 10.0),
            read_timeout=self.value(t, w, "read_timeout", _seconds,
                                    "a number of seconds from 0 to 3600", 30.0),
            schedule=self.schedule(raw),
            email=self.email(raw),
            base_url=self.report(raw),
            feeds=self.feeds(raw),
            deals=self.deals(raw),
        )

    def database_url(self, database: str) -> str | None:
        """The URL when `database` is one (only postgresql:// is known), else None."""
        if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", database):
            return None
        try:
            return check_postgres_url(database)
        except ValueError as error:  # not the value itself: it may hold a password
            raise self.fail("[tracker].database", f"expected a file path or a postgresql://"
                            f" URL: {error}") from None

    def schedule(self, raw: dict[str, Any]) -> Schedule:
        s = self.table(raw, "schedule", {"poll_every", "report_at"})
        return Schedule(
            poll_every=self.value(s, "[schedule]", "poll_every", parse_duration,
                                  "a duration like 30s, 15m or 1h (at most 7d)", 900),
            report_at=self.value(s, "[schedule]", "report_at", _clock_time,
                                 "a time of day as HH:MM", (7, 0)),
        )

    def email(self, raw: dict[str, Any]) -> Email | None:
        if "email" not in raw:
            return None
        keys = {"smtp_host", "smtp_port", "sender", "to", "starttls", "username"}
        e, w = self.table(raw, "email", keys), "[email]"
        return Email(
            smtp_host=self.value(e, w, "smtp_host", _text, "a host name", "localhost"),
            smtp_port=self.value(e, w, "smtp_port", _port, "a port number 1-65535", 25),
            sender=self.value(e, w, "sender", _address, "an e-mail address", required=True),
            to=self.value(e, w, "to", _addresses, "a list of e-mail addresses", required=True),
            starttls=self.value(e, w, "starttls", _boolean, "true or false", False),
            username=self.value(e, w, "username", _text_or_empty, "a string", ""),
        )

    def report(self, raw: dict[str, Any]) -> str | None:
        r = self.table(raw, "report", {"base_url"})
        url: str | None = self.value(r, "[report]", "base_url", _base_url,
                                     "an http(s) URL like https://example.org/deals/")
        return url

    def array(self, raw: dict[str, Any], name: str) -> list[tuple[str, dict[str, Any]]]:
        items = raw.get(name, [])
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise self.fail(f"[[{name}]]", "must be an array of tables")
        return [(f"[[{name}]][{n}]", item) for n, item in enumerate(items)]

    def feeds(self, raw: dict[str, Any]) -> tuple[Feed, ...]:
        feeds: list[Feed] = []
        names: set[str] = set()
        for where, item in self.array(raw, "feeds"):
            self.reject_unknown(item, {"name", "url", "language", "full_text"}, where)
            name = self.value(item, where, "name", _text, "a non-empty name", required=True)
            if name in names:  # a set: a list imported from a reader may hold thousands
                raise self.fail(f"{where}.name", f"duplicate feed name {name!r}")
            url = self.value(item, where, "url", _text, "a URL or file path", required=True)
            language = self.value(item, where, "language", _language, "fr or en")
            full_text = self.value(item, where, "full_text", _full_text,
                                   '"auto", "always" or "never"', "auto")
            feeds.append(Feed(name=name, url=self.feed_location(url, where), language=language,
                              full_text=full_text))
            names.add(name)
        return tuple(feeds)

    def feed_location(self, url: str, where: str) -> str:
        scheme = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://", url)
        if scheme and scheme.group(1).lower() not in ("http", "https", "file"):
            raise self.fail(f"{where}.url", f"expected an http(s) URL or a file, got {url!r}")
        return url if scheme else str(self.base / url)

    def deals(self, raw: dict[str, Any]) -> tuple[Deal, ...]:
        deals: dict[str, Deal] = {}
        for where, item in self.array(raw, "deals"):
            deal = self.deal(item, where)
            if deal.id in deals:
                raise self.fail(f"{where}.id", f"duplicate deal id {deal.id!r}")
            deals[deal.id] = deal
        return tuple(deals.values())

    def deal(self, item: dict[str, Any], where: str) -> Deal:
        keys = {"id", "title", "acquirer", "target", "seller", "aliases", "acquirer_aliases",
                "seller_aliases", "exclude"}
        self.reject_unknown(item, keys, where)
        deal_id = self.value(item, where, "id", _deal_id,
                             "an id of lowercase letters, digits, '.', '_' or '-'", required=True)
        acquirer = self.value(item, where, "acquirer", _text, "a company name", required=True)
        target = self.value(item, where, "target", _text, "a company name", required=True)
        seller = self.value(item, where, "seller", _text, "a company name")
        names = {key: self.value(item, where, key, _names, "a list of names", ())
                 for key in ("aliases", "acquirer_aliases", "seller_aliases", "exclude")}
        if names["seller_aliases"] and seller is None:
            raise self.fail(f"{where}.seller_aliases", "names a seller's aliases, but no seller")
        return Deal(id=deal_id, acquirer=acquirer, target=target, seller=seller,
                    title=self.value(item, where, "title", _text,
                                     "a line of text (no control characters)",
                                     f"{acquirer} / {target}"), **names)


def parse_duration(value: Any) -> int:
    """Parse "30s", "15m", "1h" or "1d" into seconds (at most a week)."""
    match = _DURATION.match(value) if isinstance(value, str) else None
    seconds = int(match.group(1)) * _DURATION_SECONDS[match.group(2)] if match else 0
    if not 0 < seconds <= 7 * 86400:
        raise ValueError(value)
    return seconds


def _text(value: Any) -> str:
    # a control character (NUL above all) would only fail later, or reach a terminal
    if not isinstance(value, str) or not value.strip() or printable(value) != value:
        raise ValueError(value)
    return value.strip()


def _text_or_empty(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(value)
    return value.strip()


def _zone_name(value: Any) -> str:
    try:
        ZoneInfo(_text(value))
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "Europe" is a folder of zones
        raise ValueError(value) from None
    return _text(value)


def _base_url(value: Any) -> str:
    """An http(s) URL with a host and nothing after its path, ending in "/" (so that a
    page name joined to it stays under it)."""
    url = _text(value)
    parts = urlsplit(url)
    if (parts.scheme not in ("http", "https") or not parts.hostname or parts.query
            or parts.fragment or not url.isprintable() or " " in url):
        raise ValueError(url)
    return url if url.endswith("/") else url + "/"


def _positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(value)
    return value


def _seconds(value: Any) -> float:
    # finite and at most an hour: socket timeouts overflow on inf, and no feed needs more
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 3600:
        raise ValueError(value)
    return float(value)


def _port(value: Any) -> int:
    if _positive_int(value) > 65535:
        raise ValueError(value)
    return int(value)


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(value)
    return value


def _clock_time(value: Any) -> tuple[int, int]:
    match = _CLOCK.match(value) if isinstance(value, str) else None
    if not match:
        raise ValueError(value)
    return int(match.group(1)), int(match.group(2))


def _address(value: Any) -> str:
    text = _text(value)
    if "@" not in text or any(c in text for c in "\r\n<>, "):
        raise ValueError(value)
    return text


def _addresses(value: Any) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise ValueError(value)
    return tuple(_address(item) for item in items)


def _names(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValueError(value)
    return tuple(_text(item) for item in value)


def _full_text(value: Any) -> str:
    if value not in FULL_TEXT:
        raise ValueError(value)
    return str(value)


def _count(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100_000:
        raise ValueError(value)
    return value


def _language(value: Any) -> str:
    if value not in ("fr", "en"):
        raise ValueError(value)
    return str(value)


def _deal_id(value: Any) -> str:
    if not isinstance(value, str) or not _DEAL_ID.match(value):
        raise ValueError(value)
    return value
