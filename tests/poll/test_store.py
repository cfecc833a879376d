"""The poll's store on SQLite and on a real PostgreSQL server: the same tests, one code path."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from xentui.poll.store import SCHEMA_VERSION, PollStore, hash_token
from xentui.poll.validation import PollInputError, Question

QUESTIONS = [Question("Cats are mammals", ("true", "false"), 0),
             Question("Which?", ("a", "b", "c"), 2, (1.0, 2.0, 3.0))]  # fmt: skip


def test_schema_is_created_once_with_its_version(store, database):
    assert store.schema_version() == SCHEMA_VERSION
    again = PollStore(database)  # a second replica starting on the same database
    assert again.schema_version() == SCHEMA_VERSION
    with store.engine.connect() as db:
        assert db.execute(sa.text("SELECT count(*) FROM poll_schema")).scalar() == 1
    again.close()


def test_a_newer_schema_is_refused_with_a_way_out(store, database):
    with store.engine.begin() as db:
        db.execute(sa.text("UPDATE poll_schema SET version = 99"))
    with pytest.raises(RuntimeError, match="schema version 99; this xent reads up to 1"):
        PollStore(database)


def test_the_teacher_token_is_stored_hashed_and_forged_ones_find_nothing(store):
    code, teacher = store.create(QUESTIONS)
    with store.engine.connect() as db:
        stored = db.execute(sa.text("SELECT teacher_hash FROM poll")).scalar()
    assert stored == hash_token(teacher) and teacher not in stored
    assert store.teacher_poll(teacher).code == code
    for forged in (teacher[:-1] + ("A" if teacher[-1] != "A" else "B"), code, stored, "", None):
        assert store.teacher_poll(forged) is None
    assert len(code) >= 12 and len(teacher) >= 32  # token_urlsafe(9) and (24)


def test_a_later_answer_replaces_the_earlier_and_sessions_are_apart(store):
    code, _ = store.create(QUESTIONS)
    store.submit(code, 0, "session-one", "Ada", [0.9, 0.1])
    store.submit(code, 0, "session-one", "Ada L.", [0.6, 0.4])
    store.submit(code, 1, "session-one", "Ada L.", [0.2, 0.3, 0.5])
    store.submit(code, 0, "session-two", "<b>Bob</b>", [0.0, 1.0])
    mine = store.answers(code, "session-one")
    assert [(a.question, a.probabilities, a.nickname) for a in mine] == [
        (0, (0.6, 0.4), "Ada L."),
        (1, (0.2, 0.3, 0.5), "Ada L."),
    ]
    assert len(store.answers(code)) == 3
    assert {a.nickname for a in store.answers(code, "session-two")} == {"<b>Bob</b>"}


def test_every_answer_goes_through_the_door(store):
    code, _ = store.create(QUESTIONS)
    cases = [
        ((code, 0, "session-one", "Ada", [float("nan"), 1.0]), "Probability 1"),
        ((code, 0, "session-one", "Ada", [0.5, 0.5, 0.0]), "one per option"),
        ((code, 2, "session-one", "Ada", [0.5, 0.5]), r"Question: expected 1 to 2; got 3"),
        ((code, True, "session-one", "Ada", [0.5, 0.5]), "a question number"),
        ((code, 0, "bad session!", "Ada", [0.5, 0.5]), "Session"),
        ((code, 0, "session-one", "", [0.5, 0.5]), "Nickname"),
        (("forged-code-1", 0, "session-one", "Ada", [0.5, 0.5]), "the code of an open poll"),
    ]
    for arguments, message in cases:
        with pytest.raises(PollInputError, match=message):
            store.submit(*arguments)
    assert store.answers(code) == []


def test_an_expired_poll_takes_no_answers(store):
    code, _ = store.create(QUESTIONS, hours=-1)
    assert store.poll(code).expired()
    with pytest.raises(PollInputError, match="Poll: expected a poll still open; got expired"):
        store.submit(code, 0, "session-one", "Ada", [0.5, 0.5])


def test_reveal_needs_the_teacher_token(store):
    code, teacher = store.create(QUESTIONS)
    with pytest.raises(PermissionError):
        store.reveal("forged-token-123")
    store.reveal(teacher)
    assert store.poll(code).revealed


def test_answers_written_at_once_from_many_threads_are_all_kept(store):
    code, _ = store.create(QUESTIONS)
    errors = []

    def student(i: int) -> None:
        try:
            for _ in range(2):  # the same answer twice: replaced, never doubled
                store.submit(code, 0, f"student-{i:04d}", f"s{i}", [0.5, 0.5])
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=student, args=(i,)) for i in range(20)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(store.answers(code)) == 20
    assert time.perf_counter() - started < 20
