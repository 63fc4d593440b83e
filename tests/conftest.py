"""Factories for events and deals, a store on a real SQLite file in tmp_path, and no
network beyond this machine."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from events.model import DeadlineSet, NegotiationReported, StatementMade
from events.sqlite_store import SQLiteEventStore

DEAL = "microsoft-tiktok"
_LOCAL_NAMES = {"localhost", "127.0.0.1", "::1"}
_getaddrinfo = socket.getaddrinfo


@pytest.fixture(autouse=True)
def no_network_beyond_localhost(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse to resolve any name but this machine's: a test fetching an article page on
    news.example fails fast, as with no network, instead of reaching out."""
    def local_only(host: object, *args: object, **kwargs: object) -> object:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in _LOCAL_NAMES and not name.startswith("127."):
            raise socket.gaierror(socket.EAI_NONAME, f"no network in tests: {name}")
        return _getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", local_only)

CONFIG_TEXT = """\
[tracker]
database = "tracker.db"
timezone = "Europe/Paris"

[[deals]]
id = "microsoft-tiktok"
title = "Microsoft / TikTok US"
acquirer = "Microsoft"
target = "TikTok"
seller = "ByteDance"
aliases = ["ByteDance"]

[[deals]]
id = "microsoft-activision"
acquirer = "Microsoft"
target = "Activision Blizzard"
aliases = ["Activision"]
"""


def at(text: str) -> datetime:
    """An aware UTC datetime from 'YYYY-MM-DD' or 'YYYY-MM-DDTHH:MM'."""
    moment = datetime.fromisoformat(text if "T" in text else text + "T12:00")
    return moment.replace(tzinfo=UTC)


def negotiation(stage: str, when: str, *, deal: str = DEAL, url: str | None = None,
                **extra: object) -> NegotiationReported:
    """A negotiation event on `deal` at `when` (UTC)."""
    return NegotiationReported(deal_id=deal, stage=stage, occurred_at=at(when), source_url=url,
                               **extra)


def twin_negotiations() -> tuple[NegotiationReported, NegotiationReported]:
    """Two negotiation events whose ids share their first six hex digits."""
    seen: dict[str, NegotiationReported] = {}
    for n in range(100_000):  # ids are hashes: two of these share six hex digits
        event = negotiation("agreed", "2020-08-02", url=f"https://news.example/{n}")
        twin = seen.setdefault(event.event_id[:6], event)
        if twin is not event:
            return twin, event
    raise AssertionError("no two ids share six hex digits: the hash is broken")


def deadline(due: str, when: str, *, deal: str = DEAL, replaces: str | None = None,
             label: str = "decision") -> DeadlineSet:
    """A deadline event on `deal` set at `when` (UTC)."""
    return DeadlineSet(deal_id=deal, due=due, label=label, replaces=replaces, occurred_at=at(when))


def statement(quote: str, when: str, *, deal: str = DEAL, speaker: str = "Satya Nadella",
              organization: str | None = "Microsoft") -> StatementMade:
    """A statement event on `deal` at `when` (UTC)."""
    return StatementMade(deal_id=deal, speaker=speaker, organization=organization, quote=quote,
                         occurred_at=at(when))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "tracker.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[SQLiteEventStore]:
    with SQLiteEventStore(db_path) as opened:
        yield opened


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    path = tmp_path / "tracker.toml"
    path.write_text(CONFIG_TEXT, encoding="utf-8")
    return path
