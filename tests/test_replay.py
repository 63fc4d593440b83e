"""Replay: the fold of the log into deal state, as of a day and as known at a time."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.model import STAGES, Event, EventRetracted
from events.replay import replay
from events.sqlite_store import SQLiteEventStore
from tests.conftest import DEAL, at, deadline, negotiation, statement
from tracker.cli.views import deal_json

UTC = ZoneInfo("UTC")
PARIS = ZoneInfo("Europe/Paris")


def state_of(store: SQLiteEventStore, day: str, **options: object) -> dict:
    result = replay(store, as_of=date.fromisoformat(day), zone=options.pop("zone", UTC),
                    **options)
    deal = result.deals.get(DEAL)
    return deal_json(deal, title="t", as_of=result.as_of) if deal else {"status": "unknown"}


def test_status_is_unknown_before_any_event(store: SQLiteEventStore) -> None:
    store.append([negotiation("negotiating", "2020-08-02")])
    assert state_of(store, "2020-08-01")["status"] == "unknown"
    assert state_of(store, "2020-08-02")["status"] == "negotiating"


def test_as_of_is_the_end_of_that_day_in_the_configured_zone(store: SQLiteEventStore) -> None:
    # 22:30 UTC on 2 August is already 3 August in Paris
    store.append([negotiation("agreed", "2020-08-02T22:30")])
    assert state_of(store, "2020-08-02", zone=UTC)["status"] == "agreed"
    assert state_of(store, "2020-08-02", zone=PARIS)["status"] == "unknown"
    assert state_of(store, "2020-08-03", zone=PARIS)["status"] == "agreed"


def test_latest_stage_wins_and_status_since_marks_the_change(store: SQLiteEventStore) -> None:
    store.append([
        negotiation("rumored", "2020-07-31"),
        negotiation("negotiating", "2020-08-02"),
        negotiation("negotiating", "2020-08-04", url="https://again.example"),
        negotiation("abandoned", "2020-09-13"),
    ])
    on_aug_10 = state_of(store, "2020-08-10")
    assert (on_aug_10["status"], on_aug_10["status_since"]) == ("negotiating",
                                                                "2020-08-02T12:00:00Z")
    assert state_of(store, "2020-09-14")["status"] == "abandoned"


def test_same_instant_the_stage_furthest_along_wins(store: SQLiteEventStore) -> None:
    # one article: "cleared by the regulator and closed" — read in either order
    store.append([negotiation("completed", "2023-10-13"), negotiation("approved", "2023-10-13")])
    assert state_of(store, "2023-10-13")["status"] == "completed"


def test_a_lower_stage_at_the_same_instant_does_not_reset_since(
        store: SQLiteEventStore) -> None:
    store.append([negotiation("negotiating", "2020-08-02")])
    # a later article recalls the rumours, then restates the talks
    store.append([negotiation("rumored", "2020-08-05", url="https://b.example"),
                  negotiation("negotiating", "2020-08-05", url="https://b.example")])
    state = state_of(store, "2020-08-06")
    assert (state["status"], state["status_since"]) == ("negotiating", "2020-08-02T12:00:00Z")


def test_known_at_shows_only_what_the_log_held_then(store: SQLiteEventStore) -> None:
    store.append([negotiation("negotiating", "2020-08-02")], now=at("2020-08-02T15:00"))
    store.append([negotiation("agreed", "2020-08-01")], now=at("2020-08-05T09:00"))
    assert state_of(store, "2020-08-03", known_at=at("2020-08-03T00:00"))["status"] == (
        "negotiating")
    # the late-arriving report is older, so the newer one still wins once it is known
    assert state_of(store, "2020-08-03")["status"] == "negotiating"
    assert state_of(store, "2020-08-01")["status"] == "agreed"
    assert state_of(store, "2020-08-01", known_at=at("2020-08-04"))["status"] == "unknown"


def test_retracted_events_are_skipped_from_when_retracted(store: SQLiteEventStore) -> None:
    (wrong,) = store.append([negotiation("agreed", "2020-08-03")], now=at("2020-08-03T10:00"))
    store.append([negotiation("negotiating", "2020-08-02")], now=at("2020-08-03T10:00"))
    store.append([EventRetracted(deal_id=DEAL, occurred_at=at("2020-08-04"),
                                 retracted_id=wrong.event_id, reason="misread")],
                 now=at("2020-08-04T08:00"))
    assert state_of(store, "2020-08-03", known_at=at("2020-08-03T12:00"))["status"] == "agreed"
    assert state_of(store, "2020-08-03")["status"] == "negotiating"


def test_next_deadline_skips_past_and_replaced_deadlines(store: SQLiteEventStore) -> None:
    store.append([
        deadline("2020-08-10", "2020-08-01", label="hearing"),
        deadline("2020-09-15", "2020-08-02"),
        deadline("2020-11-12", "2020-09-14", replaces="2020-09-15"),
        deadline("2020-12-31", "2020-08-02", label="long stop"),
    ])
    assert state_of(store, "2020-08-05")["next_deadline"] == "2020-08-10"
    assert state_of(store, "2020-08-11")["next_deadline"] == "2020-09-15"
    after_extension = state_of(store, "2020-09-14")
    assert after_extension["next_deadline"] == "2020-11-12"
    assert [d["due"] for d in after_extension["deadlines"]] == ["2020-08-10", "2020-11-12",
                                                                 "2020-12-31"]
    assert after_extension["deadlines"][1]["replaces"] == "2020-09-15"
    assert state_of(store, "2021-01-01")["next_deadline"] is None


def test_statements_newest_first_and_counted(store: SQLiteEventStore) -> None:
    store.append([statement("first", "2020-08-02"), statement("second", "2020-08-03")])
    state = state_of(store, "2020-08-05")
    assert [s["quote"] for s in state["statements"]] == ["second", "first"]
    assert state["event_count"] == 2
    assert state["last_event_at"] == "2020-08-03T12:00:00Z"


def test_only_the_requested_deal_is_replayed(store: SQLiteEventStore) -> None:
    store.append([negotiation("agreed", "2020-08-02"),
                  negotiation("rumored", "2021-01-01", deal="microsoft-activision")])
    result = replay(store, as_of=date(2022, 1, 1), zone=UTC, deal_id="microsoft-activision")
    assert list(result.deals) == ["microsoft-activision"]
    assert result.events_applied == 1


# Property tests: random logs of a few deals over a few weeks.

DEALS = ("a", "b", "c")
START = date(2020, 8, 1)
drafts = st.one_of(
    st.builds(lambda d, stage, n: negotiation(stage, (START + timedelta(n)).isoformat(), deal=d),
              st.sampled_from(DEALS), st.sampled_from(STAGES), st.integers(0, 30)),
    st.builds(lambda d, due, n: deadline((START + timedelta(due)).isoformat(),
                                         (START + timedelta(n)).isoformat(), deal=d),
              st.sampled_from(DEALS), st.integers(0, 60), st.integers(0, 30)),
    st.builds(lambda d, q, n: statement(q, (START + timedelta(n)).isoformat(), deal=d),
              st.sampled_from(DEALS), st.text(min_size=1, max_size=20).filter(str.strip),
              st.integers(0, 30)),
)
logs = st.lists(st.lists(drafts, min_size=1, max_size=4), min_size=1, max_size=12)
property_settings = settings(max_examples=40, deadline=None,
                             suppress_health_check=[HealthCheck.function_scoped_fixture])


def all_states(store: SQLiteEventStore, day: date, **options: object) -> dict:
    result = replay(store, as_of=day, zone=UTC, **options)
    return {d: deal_json(s, title=d, as_of=day) for d, s in result.deals.items()}


def fill(path: Path, batches: list[list[Event]]) -> SQLiteEventStore:
    store = SQLiteEventStore(path)
    for n, batch in enumerate(batches):
        store.append(batch, now=at("2021-01-01") + timedelta(minutes=n))
    return store


@property_settings
@given(batches=logs, day=st.integers(0, 40))
def test_replay_is_deterministic(tmp_path_factory, batches: list[list[Event]], day: int) -> None:
    folder = tmp_path_factory.mktemp("det")
    first, second = fill(folder / "1.db", batches), fill(folder / "2.db", batches)
    as_of = START + timedelta(day)
    assert all_states(first, as_of) == all_states(second, as_of) == all_states(first, as_of)


@property_settings
@given(batches=logs, cut=st.integers(0, 12))
def test_a_prefix_of_the_log_equals_the_state_known_then(tmp_path_factory,
                                                          batches: list[list[Event]],
                                                          cut: int) -> None:
    folder = tmp_path_factory.mktemp("prefix")
    cut = min(cut, len(batches))
    whole, prefix = fill(folder / "whole.db", batches), fill(folder / "prefix.db", batches[:cut])
    known_at = at("2021-01-01") + timedelta(minutes=cut - 1, seconds=30)
    as_of = START + timedelta(days=45)
    assert all_states(whole, as_of, known_at=known_at) == all_states(prefix, as_of,
                                                                     known_at=known_at)


def test_memory_follows_deals_not_events(store: SQLiteEventStore) -> None:
    start = date(2019, 1, 1)
    store.append([deadline((start + timedelta(n)).isoformat(), "2019-01-01T00:00")
                  for n in range(0, 600)])
    store.append([statement(f"quote {n}", "2019-01-02") for n in range(50)])
    state = state_of(store, "2020-06-01")  # 517 of the deadlines are past by then
    dues = [d["due"] for d in state["deadlines"]]
    assert len([d for d in dues if d < "2020-06-01"]) == 10
    assert [d for d in dues if d >= "2020-06-01"] == [
        (start + timedelta(n)).isoformat() for n in range(517, 600)]
    assert state["next_deadline"] == "2020-06-01"
    assert len(state["statements"]) == 10 and state["event_count"] == 650


def test_a_replay_during_a_pending_append_can_be_rebuilt_exactly(db_path: Path) -> None:
    writer, reader = SQLiteEventStore(db_path), SQLiteEventStore(db_path)
    writer.append([negotiation("negotiating", "2020-08-02")])
    with writer.transaction():  # a poll in the middle of a batch of articles
        writer.append([negotiation("agreed", "2020-08-03")])
        during = replay(reader, as_of=date(2020, 8, 5), zone=UTC)
    assert during.deals[DEAL].status == "negotiating"
    rebuilt = replay(reader, as_of=date(2020, 8, 5), zone=UTC,
                     known_at=datetime.fromisoformat(during.known_at))
    assert rebuilt.deals[DEAL].status == "negotiating"
    assert rebuilt.events_applied == during.events_applied == 1
    assert replay(reader, as_of=date(2020, 8, 5), zone=UTC).deals[DEAL].status == "agreed"
