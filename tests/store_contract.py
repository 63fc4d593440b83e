"""The contract every EventStore must pass; a backend's test class inherits it.

A subclass provides the `store` fixture (an empty store) and, for the concurrency
test, `reopen()` giving a second handle on the same log.
"""

from __future__ import annotations

import json

import pytest

from events.errors import InvalidEvent
from events.model import EventRetracted
from events.store import EventStore
from tests.conftest import at, deadline, negotiation, statement


class EventStoreContract:
    """Behaviour shared by all event stores."""

    def test_append_returns_the_new_rows_in_seq_order(self, store: EventStore) -> None:
        rows = store.append([negotiation("rumored", "2020-08-01"), deadline("2020-09-15",
                                                                             "2020-08-02")])
        assert [row.seq for row in rows] == sorted(row.seq for row in rows)
        assert [row.type for row in rows] == ["negotiation", "deadline"]
        assert json.loads(rows[1].data) == {"due": "2020-09-15", "label": "decision",
                                            "replaces": None}
        assert store.last_seq() == rows[-1].seq

    def test_appending_the_same_fact_twice_is_a_no_op(self, store: EventStore) -> None:
        first = store.append([negotiation("negotiating", "2020-08-02", url="https://a.example/1")])
        again = store.append([negotiation("negotiating", "2020-08-02", url="https://a.example/1")])
        assert len(first) == 1
        assert again == []
        assert len(list(store.read())) == 1

    def test_duplicates_inside_one_batch_are_stored_once(self, store: EventStore) -> None:
        event = statement("We are talking", "2020-08-02")
        assert len(store.append([event, event])) == 1

    def test_a_batch_with_an_invalid_event_appends_nothing(self, store: EventStore) -> None:
        bad_retraction = EventRetracted(deal_id="microsoft-tiktok", occurred_at=at("2020-08-03"),
                                        retracted_id="does-not-exist", reason="typo")
        with pytest.raises(InvalidEvent, match="event_id"):
            store.append([negotiation("agreed", "2020-08-02"), bad_retraction])
        assert list(store.read()) == []
        assert store.last_seq() == 0

    def test_appends_in_one_transaction_commit_together(self, store: EventStore) -> None:
        with pytest.raises(RuntimeError), store.transaction():
            store.append([negotiation("agreed", "2020-08-02")])
            store.append([deadline("2020-09-15", "2020-08-02")])
            raise RuntimeError("the machine dies here")
        assert list(store.read()) == []
        with store.transaction():
            store.append([negotiation("agreed", "2020-08-02")])
            store.append([deadline("2020-09-15", "2020-08-02")])
        assert [row.type for row in store.read()] == ["negotiation", "deadline"]

    def test_read_streams_from_a_given_seq(self, store: EventStore) -> None:
        rows = store.append([negotiation("rumored", f"2020-08-0{day}") for day in range(1, 6)])
        later = list(store.read(after_seq=rows[1].seq))
        assert [row.seq for row in later] == [row.seq for row in rows[2:]]

    def test_read_filters_by_deal_type_and_occurrence(self, store: EventStore) -> None:
        store.append([
            negotiation("rumored", "2020-08-01"),
            negotiation("rumored", "2021-01-18", deal="microsoft-activision"),
            deadline("2020-09-15", "2020-08-02"),
        ])
        assert [r.type for r in store.read(deal_id="microsoft-tiktok")] == ["negotiation",
                                                                              "deadline"]
        assert [r.deal_id for r in store.read(type="negotiation", occurred_from="2021-01-01")] == [
            "microsoft-activision"]

    def test_read_filters_by_recording_time(self, store: EventStore) -> None:
        store.append([negotiation("rumored", "2020-08-01")], now=at("2020-08-01T10:00"))
        store.append([negotiation("agreed", "2020-08-02")], now=at("2020-08-02T10:00"))
        store.append([negotiation("completed", "2020-08-03")], now=at("2020-08-03T10:00"))
        middle = store.read(recorded_from="2020-08-02T00:00:00.000000Z",
                            recorded_until="2020-08-02T23:59:59.999999Z")
        assert [json.loads(row.data)["stage"] for row in middle] == ["agreed"]

    def test_timeline_orders_by_occurrence_then_seq(self, store: EventStore) -> None:
        store.append([negotiation("agreed", "2020-09-01")])
        store.append([negotiation("rumored", "2020-08-01")])
        store.append([negotiation("negotiating", "2020-09-01T12:00", url="https://b.example")])
        stages = [json.loads(row[5])["stage"] for batch in store.timeline() for row in batch]
        assert stages == ["rumored", "agreed", "negotiating"]

    def test_timeline_bounds_are_inclusive(self, store: EventStore) -> None:
        rows = store.append([negotiation("rumored", "2020-08-01T10:00")],
                            now=at("2020-08-01T10:00"))
        within = store.timeline(occurred_until=rows[0].occurred_at,
                                recorded_until=rows[0].recorded_at)
        assert sum(len(batch) for batch in within) == 1
        assert list(store.timeline(occurred_until="2020-08-01T09:59:59Z")) == []

    def test_recorded_at_never_goes_backwards(self, store: EventStore) -> None:
        first = store.append([negotiation("rumored", "2020-08-01")], now=at("2020-08-05"))
        second = store.append([negotiation("agreed", "2020-08-02")], now=at("2020-08-04"))
        assert second[0].recorded_at >= first[0].recorded_at

    def test_retraction_needs_an_existing_event_of_the_same_deal(self, store: EventStore) -> None:
        (row,) = store.append([negotiation("agreed", "2020-08-02")])
        wrong_deal = EventRetracted(deal_id="microsoft-activision", occurred_at=at("2020-08-03"),
                                    retracted_id=row.event_id, reason="wrong")
        with pytest.raises(InvalidEvent, match="deal_id"):
            store.append([wrong_deal])
        right = EventRetracted(deal_id=row.deal_id, occurred_at=at("2020-08-03"),
                               retracted_id=row.event_id, reason="misread")
        store.append([right])
        assert store.retracted_ids() == {row.event_id}

    def test_a_retraction_may_target_an_event_of_the_same_batch(self,
                                                                 store: EventStore) -> None:
        event = negotiation("agreed", "2020-08-02")
        retraction = EventRetracted(deal_id=event.deal_id, occurred_at=at("2020-08-03"),
                                    retracted_id=event.event_id, reason="misread")
        assert [row.type for row in store.append([event, retraction])] == ["negotiation",
                                                                           "retraction"]

    def test_retracting_a_retraction_reinstates_its_event_once(self, store: EventStore) -> None:
        (row,) = store.append([negotiation("agreed", "2020-08-02")])
        first = EventRetracted(deal_id=row.deal_id, occurred_at=at("2020-08-03"),
                               retracted_id=row.event_id, reason="misread")
        (retraction,) = store.append([first])
        assert store.retracted_ids() == {row.event_id}
        undo = EventRetracted(deal_id=row.deal_id, occurred_at=at("2020-08-04"),
                              retracted_id=retraction.event_id, reason="read again")
        (reinstatement,) = store.append([undo])
        assert store.retracted_ids() == {retraction.event_id}
        assert store.retracted_ids(recorded_until=retraction.recorded_at) == {row.event_id}
        again = EventRetracted(deal_id=row.deal_id, occurred_at=at("2020-08-05"),
                               retracted_id=reinstatement.event_id, reason="undo the undo")
        with pytest.raises(InvalidEvent, match="reinstates an event cannot itself"):
            store.append([again])
        # the way back is a new retraction of the event itself
        anew = EventRetracted(deal_id=row.deal_id, occurred_at=at("2020-08-05"),
                              retracted_id=row.event_id, reason="misread after all")
        store.append([anew])
        assert store.retracted_ids() == {row.event_id, retraction.event_id}

    def test_ids_with_prefix_finds_only_matching_ids(self, store: EventStore) -> None:
        rows = store.append([negotiation("agreed", f"2020-08-0{day}") for day in range(1, 6)])
        target = rows[2].event_id
        assert store.ids_with_prefix(target[:10]) == [target]
        assert store.ids_with_prefix("") == [rows[0].event_id, rows[1].event_id]
        assert store.ids_with_prefix("zz") == []

    def test_get_returns_the_row_and_its_typed_event(self, store: EventStore) -> None:
        (row,) = store.append([statement("We are talking", "2020-08-02")])
        found = store.get(row.event_id)
        assert found == row and store.get("no-such-id") is None
        event = found.event()
        assert (event.type, event.event_id) == ("statement", row.event_id)

    def test_snapshot_reads_a_consistent_log(self, store: EventStore) -> None:
        store.append([negotiation("agreed", "2020-08-02")])
        with store.snapshot():
            seq = store.last_seq()
            assert [row.seq for row in store.read()] == [seq]
            assert store.last_recorded_at() == store.get(next(store.read()).event_id).recorded_at
