"""Polls and answers in a real database: SQLite in a file by default, PostgreSQL by one setting.

One code path for both (SQLAlchemy Core). Every replica of the app reads and writes the same
rows, so an answer reaches the teacher whichever replica the student is on, and survives a
replica's restart. The schema is created, or migrated, when a store opens: the `poll_schema`
table holds its version.

Tokens: the poll code students use and the teacher token are `secrets.token_urlsafe`; only the
teacher token's SHA-256 is stored, so the database alone cannot control a poll.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from xentui.poll.limits import DATABASE_ENV, POLL_HOURS
from xentui.poll.validation import (
    PollInputError,
    Question,
    check_nickname,
    check_poll_size,
    check_probabilities,
    check_question,
    check_token,
    refusal,
)

__all__ = [
    "SCHEMA_VERSION",
    "Answer",
    "Poll",
    "PollStore",
    "database_url",
    "hash_token",
]

SCHEMA_VERSION = 1
_metadata = sa.MetaData()
schema = sa.Table("poll_schema", _metadata, sa.Column("version", sa.Integer, nullable=False))
polls = sa.Table(
    "poll",
    _metadata,
    sa.Column("code", sa.String(64), primary_key=True),
    sa.Column("teacher_hash", sa.String(64), nullable=False),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("expires", sa.Float, nullable=False),
    sa.Column("questions", sa.Text, nullable=False),
    sa.Column("revealed", sa.Boolean, nullable=False, default=False),
)
answers = sa.Table(
    "poll_answer",
    _metadata,
    sa.Column("code", sa.String(64), sa.ForeignKey("poll.code"), primary_key=True),
    sa.Column("question", sa.Integer, primary_key=True),
    sa.Column("session", sa.String(64), primary_key=True),
    sa.Column("nickname", sa.String(64), nullable=False),
    sa.Column("probabilities", sa.Text, nullable=False),
    sa.Column("submitted", sa.Float, nullable=False),
)


def database_url() -> str:
    """XENT_POLL_DATABASE_URL, or a SQLite file in XENT_DATA_DIR (~/.local/share/xent)."""
    url = os.environ.get(DATABASE_ENV, "").strip()
    if url:
        # Plain postgresql:// means the psycopg (3) driver, the one requirements.txt pins.
        return url.replace("postgresql://", "postgresql+psycopg://", 1)
    folder = Path(os.environ.get("XENT_DATA_DIR") or Path.home() / ".local" / "share" / "xent")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only home (a locked-down container): the temporary folder
        folder = Path(tempfile.gettempdir()) / "xent"
        folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'polls.sqlite3'}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Poll:
    """A poll as stored: its code, when it was made and closes (Unix time), its questions."""

    code: str
    created: float
    expires: float
    questions: tuple[Question, ...]
    revealed: bool

    def expired(self, now: float | None = None) -> bool:
        return (time.time() if now is None else now) >= self.expires


@dataclass(frozen=True)
class Answer:
    """One recorded answer: the question's index, the answering session, its probabilities."""

    question: int
    session: str
    nickname: str
    probabilities: tuple[float, ...]
    submitted: float


def _sqlite_pragmas(connection, _record) -> None:
    # WAL lets the teacher's reads run beside students' writes; wait for a lock, never fail.
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class PollStore:
    """Create polls, record answers (a later one replaces the earlier), read them back.

    Thread-safe: each call takes a connection from the engine's pool for one transaction.
    """

    def __init__(self, url: str | None = None) -> None:
        self.url = url or database_url()
        if self.url.startswith("sqlite"):
            self.engine = sa.create_engine(self.url, connect_args={"check_same_thread": False})
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            self.engine = sa.create_engine(self.url, pool_pre_ping=True, pool_size=5)
        self._migrate()

    def _migrate(self) -> None:
        """Create the tables, or bring an older schema up to SCHEMA_VERSION."""
        with self.engine.begin() as db:
            _metadata.create_all(db, checkfirst=True)
            found = db.execute(sa.select(sa.func.max(schema.c.version))).scalar()
            if found is None:
                db.execute(schema.insert().values(version=SCHEMA_VERSION))
            elif found > SCHEMA_VERSION:
                raise RuntimeError(
                    f"the poll database has schema version {found}; this xent reads up to "
                    f"{SCHEMA_VERSION}: upgrade xent or point {DATABASE_ENV} elsewhere"
                )
            # Version 1 is the first; later migrations go here, each step by step.

    def schema_version(self) -> int:
        with self.engine.connect() as db:
            return int(db.execute(sa.select(sa.func.max(schema.c.version))).scalar())

    # ------------------------------------------------------------------ polls

    def create(self, questions: list[Question], hours: float = POLL_HOURS) -> tuple[str, str]:
        """A new poll of `questions`; its (poll code, teacher token). The token is shown once.

        Raises PollInputError for no question or more than MAX_QUESTIONS."""
        checked = [check_question(q.as_dict()) for q in check_poll_size(questions)]
        code, teacher = secrets.token_urlsafe(9), secrets.token_urlsafe(24)
        now = time.time()
        with self.engine.begin() as db:
            db.execute(
                polls.insert().values(
                    code=code,
                    teacher_hash=hash_token(teacher),
                    created=now,
                    expires=now + hours * 3600,
                    questions=json.dumps([q.as_dict() for q in checked]),
                    revealed=False,
                )
            )
        return code, teacher

    def poll(self, code: object) -> Poll | None:
        """The poll of `code`, or None for a code no poll has (or not a code at all)."""
        try:
            code = check_token(code)
        except PollInputError:
            return None
        with self.engine.connect() as db:
            row = db.execute(sa.select(polls).where(polls.c.code == code)).first()
        if row is None:
            return None
        questions = tuple(check_question(q) for q in json.loads(row.questions))
        return Poll(row.code, row.created, row.expires, questions, bool(row.revealed))

    def teacher_poll(self, teacher_token: object) -> Poll | None:
        """The poll this teacher token controls, or None (a forged token finds nothing)."""
        try:
            token = check_token(teacher_token, "Teacher link")
        except PollInputError:
            return None
        digest = hash_token(token)
        with self.engine.connect() as db:
            row = db.execute(
                sa.select(polls.c.code, polls.c.teacher_hash).where(polls.c.teacher_hash == digest)
            ).first()
        if row is None or not hmac.compare_digest(row.teacher_hash, digest):
            return None
        return self.poll(row.code)

    def reveal(self, teacher_token: str, revealed: bool = True) -> None:
        poll = self.teacher_poll(teacher_token)
        if poll is None:
            raise PermissionError("this teacher link controls no poll")
        with self.engine.begin() as db:
            db.execute(polls.update().where(polls.c.code == poll.code).values(revealed=revealed))

    # ------------------------------------------------------------------ answers

    def submit(
        self, code: str, question: int, session: str, nickname: object, probabilities: object
    ) -> tuple[float, ...]:
        """Record one answer through the poll's door; a later answer to a question replaces
        the earlier. Returns the probabilities as recorded; raises PollInputError."""
        poll = self.poll(code)
        if poll is None:
            raise refusal("Poll code", code, "the code of an open poll")
        if poll.expired():
            raise refusal("Poll", "expired", "a poll still open")
        if isinstance(question, bool) or not isinstance(question, int):
            raise refusal("Question", question, "a question number")
        if not 0 <= question < len(poll.questions):
            raise refusal("Question", question + 1, f"1 to {len(poll.questions)}")
        session = check_token(session, "Session")
        name = check_nickname(nickname)
        probs = check_probabilities(probabilities, poll.questions[question].num_options)
        values = {"nickname": name, "probabilities": json.dumps(probs), "submitted": time.time()}
        key = (answers.c.code == poll.code) & (answers.c.question == question)
        key &= answers.c.session == session
        with self.engine.begin() as db:
            # One code path for both databases: update, else insert; a racing insert of the same
            # key (two tabs of one session) loses to the primary key, and then updates.
            if db.execute(answers.update().where(key).values(**values)).rowcount == 0:
                try:
                    with db.begin_nested():
                        db.execute(
                            answers.insert().values(
                                code=poll.code, question=question, session=session, **values
                            )
                        )
                except sa.exc.IntegrityError:
                    db.execute(answers.update().where(key).values(**values))
            # The nickname is one per session and poll: the latest one names every answer.
            db.execute(
                answers.update()
                .where((answers.c.code == poll.code) & (answers.c.session == session))
                .values(nickname=name)
            )
        return probs

    def answers(self, code: str, session: str | None = None) -> list[Answer]:
        """Every recorded answer of the poll, oldest first; or only those of `session` (a
        student sees nobody else's)."""
        where = answers.c.code == code
        if session is not None:
            where &= answers.c.session == session
        with self.engine.connect() as db:
            rows = db.execute(sa.select(answers).where(where).order_by(answers.c.submitted)).all()
        return [
            Answer(
                r.question, r.session, r.nickname, tuple(json.loads(r.probabilities)), r.submitted
            )
            for r in rows
        ]

    def close(self) -> None:
        self.engine.dispose()
