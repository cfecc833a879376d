"""Every limit and tolerance of the Class poll, written once."""

from __future__ import annotations

from xentcore.categorical import DEFAULT_EPS
from xentui.domain.share_link import MAX_LINK_CHARS

__all__ = [
    "DATABASE_ENV",
    "MAX_LINK_TEXT_CHARS",
    "MAX_NICKNAME_CHARS",
    "MAX_OPTIONS",
    "MAX_OPTION_CHARS",
    "MAX_OWN_QUESTIONS_CHARS",
    "MAX_PROMPT_CHARS",
    "MAX_QUESTIONS",
    "POLL_HOURS",
    "PROBABILITY_FLOOR",
    "SUBMIT_BURST",
    "SUBMIT_PER_SECOND",
    "SUM_TOLERANCE",
]

# The one setting that points the poll at PostgreSQL (else SQLite in a file).
DATABASE_ENV = "XENT_POLL_DATABASE_URL"
MAX_NICKNAME_CHARS = 24
MAX_QUESTIONS = 20
MAX_OPTIONS = 8
MAX_OPTION_CHARS = 40
MAX_PROMPT_CHARS = 200
# What the text boxes take (a browser stops typing and cuts a paste there): room for a poll of
# MAX_QUESTIONS lines of the longest prompt and options, and for a Playground link's longest
# scenario with the address around it.
MAX_OWN_QUESTIONS_CHARS = MAX_QUESTIONS * (MAX_PROMPT_CHARS + MAX_OPTIONS * (MAX_OPTION_CHARS + 4))
MAX_LINK_TEXT_CHARS = MAX_LINK_CHARS + 500
# A poll takes answers for this long after it is created; its results stay readable.
POLL_HOURS = 12
# |Σ p − 1| allowed: what a browser's sliders and a float's rounding can leave.
SUM_TOLERANCE = 1e-6
# −log p for p = 0 is +∞; the score uses xentcore's clip, so a certain miss costs −ln 1e-20 =
# 46.05 nats, and the app says it stands for +∞.
PROBABILITY_FLOOR = DEFAULT_EPS
# Submissions of one session: a burst of 5, then one a second.
SUBMIT_PER_SECOND = 1.0
SUBMIT_BURST = 5
