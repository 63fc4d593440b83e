"""A PostgreSQL server gone mid-session: every store and archive method fails as one
`StoreError` line naming the database (never a raw psycopg error), as on a damaged file."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.postgres import need_psycopg

psycopg = need_psycopg()

from events.errors import StoreError  # noqa: E402
from events.postgres_store import PostgresEventStore  # noqa: E402
from tests.test_damaged_database import CALLS  # noqa: E402
from tracker.archive.postgres_archive import PostgresArchive  # noqa: E402


@pytest.fixture
def cut_off(postgres_url: str) -> Iterator[tuple[PostgresEventStore, PostgresArchive]]:
    store = PostgresEventStore(postgres_url)
    archive = PostgresArchive(store)
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        # as a restarted server or a dropped network would: the session ends under it
        admin.execute("SELECT pg_terminate_backend(%s)", (store.conn.info.backend_pid,))
    yield store, archive
    store.close()


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_lost_server_fails_as_a_store_error_naming_it(
        cut_off: tuple[PostgresEventStore, PostgresArchive], name: str) -> None:
    store, archive = cut_off
    with pytest.raises(StoreError) as caught:
        CALLS[name](store, archive)  # type: ignore[arg-type]
    message = str(caught.value)
    assert message.startswith("postgresql://postgres@127.0.0.1:5432/test: cannot ")
    assert "\n" not in message
