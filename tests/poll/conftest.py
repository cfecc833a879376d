"""Fixtures of the poll's tests: a store on SQLite in a temporary file, and on PostgreSQL.

One PostgreSQL server serves the whole test session; each test that asks gets its own database.
"""

from __future__ import annotations

import itertools

import pytest
from pg_server import new_database, postgres_server

from xentui.poll.store import PollStore

_numbers = itertools.count()


@pytest.fixture(scope="session")
def postgres_url():
    with postgres_server() as url:
        yield url


@pytest.fixture
def fresh_postgres(postgres_url):
    """The URL of a new, empty database on the session's server."""
    return new_database(postgres_url, f"poll_{next(_numbers)}")


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'polls.sqlite3'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    """A new empty database of each kind: one code path, the same tests."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'polls.sqlite3'}"
    return request.getfixturevalue("fresh_postgres")


@pytest.fixture
def store(database):
    opened = PollStore(database)
    yield opened
    opened.close()
