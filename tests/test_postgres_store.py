"""The PostgreSQL event store: the shared contract, plus what only a server can show."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from tests.postgres import need_psycopg

psycopg = need_psycopg()

from events.errors import StoreError  # noqa: E402
from events.postgres_store import PostgresEventStore  # noqa: E402
from tests.conftest import negotiation  # noqa: E402
from tests.store_contract import EventStoreContract  # noqa: E402


class TestPostgresEventStore(EventStoreContract):
    """PostgresEventStore passes the contract every store must pass."""

    @pytest.fixture
    def store(self, postgres_url: str) -> Iterator[PostgresEventStore]:
        with PostgresEventStore(postgres_url) as opened:
            yield opened


@pytest.fixture
def pg_store(postgres_url: str) -> Iterator[PostgresEventStore]:
    with PostgresEventStore(postgres_url) as opened:
        yield opened


def test_update_delete_and_truncate_are_refused(pg_store: PostgresEventStore,
                                                postgres_url: str) -> None:
    pg_store.append([negotiation("agreed", "2020-08-02")])
    with psycopg.connect(postgres_url, autocommit=True) as raw:
        for statement in ("UPDATE events SET deal_id = 'other'", "DELETE FROM events",
                          "TRUNCATE events"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                raw.execute(statement)
        assert raw.execute("SELECT deal_id FROM events").fetchall() == [("microsoft-tiktok",)]


def test_table_matches_the_contract(pg_store: PostgresEventStore, postgres_url: str) -> None:
    with psycopg.connect(postgres_url) as raw:
        columns = raw.execute(
            "SELECT column_name, data_type, is_nullable FROM information_schema.columns"
            " WHERE table_name = 'events' AND table_schema = current_schema()"
            " ORDER BY ordinal_position").fetchall()
    assert [(name, kind, nullable == "YES") for name, kind, nullable in columns] == [
        ("seq", "bigint", False), ("event_id", "text", False), ("deal_id", "text", False),
        ("type", "text", False), ("occurred_at", "text", False),
        ("recorded_at", "text", False), ("data", "text", False),
        ("source_url", "text", True), ("source_feed", "text", True),
        ("evidence", "text", True), ("version", "integer", False),
    ]


def test_a_disabled_trigger_is_a_problem_check_reports(pg_store: PostgresEventStore,
                                                        postgres_url: str) -> None:
    assert pg_store.verify() == []
    with psycopg.connect(postgres_url, autocommit=True) as raw:
        raw.execute("ALTER TABLE events DISABLE TRIGGER events_no_delete")
        raw.execute("DROP TRIGGER events_no_update ON events")
    assert pg_store.verify() == ["append-only trigger events_no_update is missing",
                                 "append-only trigger events_no_delete is disabled"]


def test_an_event_edited_behind_the_triggers_breaks_the_chain(pg_store: PostgresEventStore,
                                                               postgres_url: str) -> None:
    rows = pg_store.append([negotiation("rumored", f"2020-08-0{day}") for day in (1, 2, 3)])
    assert pg_store.chain_head()[0] == rows[-1].seq
    with psycopg.connect(postgres_url, autocommit=True) as raw:
        raw.execute("ALTER TABLE events DISABLE TRIGGER events_no_update")
        raw.execute("UPDATE events SET deal_id = 'other' WHERE seq = 2")
        raw.execute("ALTER TABLE events ENABLE TRIGGER events_no_update")
    assert pg_store.verify() == [f"seq 2 ({rows[1].event_id[:12]}): does not match its link"
                                 " in the hash chain (edited, moved, or an event before it"
                                 " removed)"]


def test_seq_follows_commit_order(pg_store: PostgresEventStore, postgres_url: str) -> None:
    # a writer that began first but commits last must not hold a lower seq than an
    # event committed before it: a reader following `--after SEQ` would skip it
    other = PostgresEventStore(postgres_url)
    first_in = threading.Event()
    release = threading.Event()

    def slow_writer() -> None:
        with pg_store.transaction():
            pg_store.append([negotiation("rumored", "2020-08-01")])
            first_in.set()
            release.wait(timeout=60)

    slow = threading.Thread(target=slow_writer)
    slow.start()
    assert first_in.wait(timeout=60)
    fast = threading.Thread(target=lambda: other.append([negotiation("agreed", "2020-08-02")]))
    fast.start()
    waiting = wait_for_lock(postgres_url, other.conn.info.backend_pid)
    release.set()
    slow.join()
    fast.join()
    other.close()
    rows = list(pg_store.read())
    assert waiting
    assert [(row.seq, row.occurred_at[:10]) for row in rows] == [(1, "2020-08-01"),
                                                                 (2, "2020-08-02")]
    assert rows[0].recorded_at < rows[1].recorded_at


def wait_for_lock(url: str, pid: int) -> bool:
    """Whether the backend `pid` comes to wait on a lock (asked until it does, or ends)."""
    with psycopg.connect(url, autocommit=True) as watcher:
        for _ in range(10_000):
            row = watcher.execute("SELECT state, wait_event_type FROM pg_stat_activity"
                                  " WHERE pid = %s", (pid,)).fetchone()
            if row and row[1] == "Lock":
                return True
    return False


def test_a_reader_after_the_last_seq_it_saw_misses_nothing(pg_store: PostgresEventStore,
                                                           postgres_url: str) -> None:
    writers = [PostgresEventStore(postgres_url) for _ in range(3)]
    seen: list[int] = []

    def write(store: PostgresEventStore, name: str) -> None:
        for batch in range(20):
            store.append([negotiation("negotiating", "2020-08-02",
                                      url=f"https://x.example/{name}/{batch}/{i}")
                          for i in range(5)])

    threads = [threading.Thread(target=write, args=(w, str(n))) for n, w in enumerate(writers)]
    for thread in threads:
        thread.start()
    def follow() -> None:
        seen.extend(row.seq for row in pg_store.read(after_seq=seen[-1] if seen else 0))

    while any(thread.is_alive() for thread in threads):
        follow()
    for thread in threads:
        thread.join()
    follow()
    for writer in writers:
        writer.close()
    assert seen == list(range(1, 301))


def test_a_server_that_refuses_is_one_line_without_the_password() -> None:
    url = "postgresql://tracker:s3cret-pw@127.0.0.1:1/tracker"
    with pytest.raises(StoreError) as caught:
        PostgresEventStore(url)
    message = str(caught.value)
    assert message.startswith("postgresql://tracker:***@127.0.0.1:1/tracker: cannot connect")
    assert "s3cret-pw" not in message and "\n" not in message


def test_an_unknown_database_is_a_clear_error(postgres_server: str) -> None:
    url = postgres_server.rsplit("/", 1)[0] + "/no_such_database_here"
    with pytest.raises(StoreError, match="no_such_database_here.*does not exist"):
        PostgresEventStore(url)


@pytest.mark.parametrize("garbled", [1, 70])  # 70: more than the latest few looked at first
def test_rows_with_a_garbled_recorded_at_do_not_hide_the_log(pg_store: PostgresEventStore,
                                                             postgres_url: str,
                                                             garbled: int) -> None:
    (row,) = pg_store.append([negotiation("agreed", "2020-08-02")])
    with psycopg.connect(postgres_url, autocommit=True) as raw:  # another tool's inserts
        for n in range(garbled):
            raw.execute("INSERT INTO events (seq, event_id, deal_id, type, occurred_at,"
                        " recorded_at, data) VALUES (%s, %s, 'd', 'negotiation',"
                        " '2020-08-03T00:00:00Z', 'zz garbled', '{}')", (100 + n, f"x{n}"))
    assert pg_store.last_recorded_at() == row.recorded_at


def test_two_writers_appending_the_same_facts_store_them_once(postgres_url: str) -> None:
    writers = [PostgresEventStore(postgres_url) for _ in range(2)]
    start = threading.Barrier(2)

    def write(store: PostgresEventStore, name: str) -> None:
        start.wait()
        for batch in range(30):
            store.append([negotiation("negotiating", "2020-08-02",
                                      url=f"https://x.example/{name}/{batch}"),
                          # both writers also append the same shared fact
                          negotiation("rumored", "2020-08-01",
                                      url=f"https://shared.example/{batch}")])

    threads = [threading.Thread(target=write, args=(writer, name))
               for name, writer in zip("ab", writers, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows = list(writers[0].read())
    for writer in writers:
        writer.close()
    assert len(rows) == 2 * 30 + 30
    assert len({row.event_id for row in rows}) == len(rows)
    assert [row.seq for row in rows] == list(range(1, len(rows) + 1))
