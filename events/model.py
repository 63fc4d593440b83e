"""The four kinds of deal-status event, validated, with deterministic ids.

An event is a small frozen dataclass saying what happened. `data()` gives the JSON
object stored in the `data` column (the contract in DESIGN.md) and `event_id` is a
hash of the fact and its source, so reading the same sentence of the same article
twice yields the same id and appending it again changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar

from events.clock import format_occurred
from events.errors import InvalidEvent

STAGES: tuple[str, ...] = (
    "rumored",
    "negotiating",
    "agreed",
    "under_review",
    "approved",
    "blocked",
    "completed",
    "abandoned",
)

#: Stages after which a deal is over: it has no deadline left to meet.
CLOSED_STAGES = frozenset({"completed", "abandoned"})

#: How far along a deal each stage is; breaks ties between events that share an
#: `occurred_at` (one article saying a deal was cleared and closed).
STAGE_RANK: dict[str, int] = {
    "rumored": 0,
    "negotiating": 1,
    "agreed": 2,
    "under_review": 3,
    "approved": 4,
    "blocked": 4,
    "completed": 5,
    "abandoned": 5,
}

EVENT_TYPES: tuple[str, ...] = ("negotiation", "statement", "deadline", "retraction")
LANGUAGES: tuple[str, ...] = ("fr", "en")
DATA_VERSION = 1


def _require_text(name: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidEvent(name, "must be a non-empty string")
    return value


def _optional_text(name: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidEvent(name, "must be a string or null")
    return value.strip() or None


def check_iso_date(name: str, value: object) -> str:
    """Return `value` when it is a `YYYY-MM-DD` date, else raise InvalidEvent."""
    if not isinstance(value, str) or len(value) != 10:
        raise InvalidEvent(name, f"must be a date as YYYY-MM-DD, got {value!r}")
    try:
        date.fromisoformat(value)
    except ValueError:
        raise InvalidEvent(name, f"must be a date as YYYY-MM-DD, got {value!r}") from None
    return value


@dataclass(frozen=True, kw_only=True)
class Event:
    """Fields shared by every event: the deal, when it happened, and its source."""

    type: ClassVar[str] = ""

    deal_id: str
    occurred_at: datetime
    source_url: str | None = None
    source_feed: str | None = None
    evidence: str | None = None
    occurred: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _require_text("deal_id", self.deal_id)
        if not isinstance(self.occurred_at, datetime):
            raise InvalidEvent("occurred_at", "must be a datetime")
        try:
            object.__setattr__(self, "occurred", format_occurred(self.occurred_at))
        except ValueError as error:
            raise InvalidEvent("occurred_at", str(error)) from None
        for name in ("source_url", "source_feed", "evidence"):
            object.__setattr__(self, name, _optional_text(name, getattr(self, name)))
        self.validate()

    def validate(self) -> None:
        """Check the type-specific fields; raise InvalidEvent naming the field."""

    def data(self) -> dict[str, Any]:
        """Return the JSON object stored in the `data` column."""
        raise NotImplementedError

    @property
    def event_id(self) -> str:
        """A hash of the fact and its source: same fact, same article, same id."""
        fact = [self.type, self.deal_id, self.source_url or "", self.occurred, self.data()]
        canonical = json.dumps(fact, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True, kw_only=True)
class NegotiationReported(Event):
    """A deal was reported to have reached a negotiation stage."""

    type: ClassVar[str] = "negotiation"
    stage: str

    def validate(self) -> None:
        if self.stage not in STAGES:
            raise InvalidEvent("stage", f"{self.stage!r} is not one of {', '.join(STAGES)}")

    def data(self) -> dict[str, Any]:
        return {"stage": self.stage}


@dataclass(frozen=True, kw_only=True)
class DeadlineSet(Event):
    """A date by which something must happen was set, or moved from `replaces`."""

    type: ClassVar[str] = "deadline"
    due: str
    label: str = ""
    replaces: str | None = None

    def validate(self) -> None:
        check_iso_date("due", self.due)
        if self.replaces is not None:
            check_iso_date("replaces", self.replaces)
            if self.replaces == self.due:
                raise InvalidEvent("replaces", "must differ from due")
        if not isinstance(self.label, str):
            raise InvalidEvent("label", "must be a string")

    def data(self) -> dict[str, Any]:
        return {"due": self.due, "label": self.label, "replaces": self.replaces}


@dataclass(frozen=True, kw_only=True)
class StatementMade(Event):
    """Someone speaking for a party to the deal said something, quoted verbatim."""

    type: ClassVar[str] = "statement"
    speaker: str
    quote: str
    organization: str | None = None
    language: str = "en"

    def validate(self) -> None:
        _require_text("speaker", self.speaker)
        _require_text("quote", self.quote)
        object.__setattr__(self, "organization", _optional_text("organization", self.organization))
        if self.language not in LANGUAGES:
            raise InvalidEvent("language", f"{self.language!r} is not one of fr, en")

    def data(self) -> dict[str, Any]:
        return {
            "speaker": self.speaker,
            "organization": self.organization,
            "quote": self.quote,
            "language": self.language,
        }


@dataclass(frozen=True, kw_only=True)
class EventRetracted(Event):
    """An earlier event was found wrong; replay skips it from now on."""

    type: ClassVar[str] = "retraction"
    retracted_id: str
    reason: str

    def validate(self) -> None:
        _require_text("event_id", self.retracted_id)
        _require_text("reason", self.reason)

    def data(self) -> dict[str, Any]:
        return {"event_id": self.retracted_id, "reason": self.reason}


EVENT_CLASSES: dict[str, type[Event]] = {
    cls.type: cls for cls in (NegotiationReported, DeadlineSet, StatementMade, EventRetracted)
}


def event_from_data(
    type_: str, *, deal_id: str, occurred_at: datetime, data: dict[str, Any], **source: Any
) -> Event:
    """Build the event of `type_` from a `data` object as stored in the log."""
    if type_ not in EVENT_CLASSES:
        raise InvalidEvent("type", f"{type_!r} is not one of {', '.join(EVENT_TYPES)}")
    if not isinstance(data, dict):
        raise InvalidEvent("data", "must be a JSON object")
    fields = dict(data)
    if type_ == "retraction":
        fields["retracted_id"] = fields.pop("event_id", None)
    try:
        return EVENT_CLASSES[type_](deal_id=deal_id, occurred_at=occurred_at, **fields, **source)
    except TypeError as error:
        raise InvalidEvent("data", f"unexpected or missing field ({error})") from None
