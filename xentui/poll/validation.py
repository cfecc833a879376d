"""The one door of the Class poll: every nickname, answer, question and token passes here.

A page, a link and a simulated client all send what they send; each check returns the clean
value or raises `PollInputError`, whose `problem` names the input, what was expected and what
was received (quoted short, so a hostile value never reaches a screen whole).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from xentui.kit.problems import CONTROL, INVISIBLE, Problem, quote
from xentui.poll.limits import (
    MAX_NICKNAME_CHARS,
    MAX_OPTION_CHARS,
    MAX_OPTIONS,
    MAX_PROMPT_CHARS,
    MAX_QUESTIONS,
    SUM_TOLERANCE,
)

__all__ = [
    "PollInputError",
    "Question",
    "check_nickname",
    "check_poll_size",
    "check_probabilities",
    "check_question",
    "check_token",
    "parse_own_questions",
    "refusal",
]

# What secrets.token_urlsafe writes; a token of another shape is refused before any look-up.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{8,64}")
# A message quotes at most this much of a refused value.
_QUOTED_CHARS = 40


class PollInputError(ValueError):
    """A refused input; `problem` is the message shown beside it."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def refusal(label: str, found: object, expected: str) -> PollInputError:
    """The error for `found` given as `label` where `expected` was wanted."""
    return _refused(label, quote(found, _QUOTED_CHARS), expected)


def _refused(label: str, found: str, expected: str) -> PollInputError:
    """The error for `found`, already in words, given as `label`."""
    return PollInputError(Problem(label, None, None, found, expected, label=label))


@dataclass(frozen=True)
class Question:
    """One question: its options, the index of the right one, and the model's logits if any.

    `logits` is set for a question drawn from a scenario: the reveal shows its softmax and loss.
    """

    prompt: str
    options: tuple[str, ...]
    answer: int
    logits: tuple[float, ...] | None = None

    @property
    def num_options(self) -> int:
        return len(self.options)

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"q": self.prompt, "o": list(self.options), "a": self.answer}
        if self.logits is not None:
            out["z"] = list(self.logits)
        return out


def _text(value: object, label: str, limit: int) -> str:
    """`value` trimmed: 1 to `limit` characters, none a control or an INVISIBLE character (a
    right-to-left override in a nickname would turn the leaderboard's next words around)."""
    if not isinstance(value, str):
        raise refusal(label, value, "text")
    text = value.strip()
    expected = f"1 to {limit} printable characters"
    if not text:
        raise _refused(label, "only blank characters" if value else "nothing", expected)
    quoted = f"“{quote(text, _QUOTED_CHARS)}”"
    if len(text) > limit:
        raise _refused(label, f"{quoted} ({len(text):,} characters)", expected)
    if CONTROL.search(text) or INVISIBLE.search(text):
        raise _refused(label, quoted, expected)
    return text


def check_nickname(value: object) -> str:
    """A nickname: 1 to MAX_NICKNAME_CHARS printable characters, kept as typed (trimmed).

    >>> check_nickname("  **Ada**  ")
    '**Ada**'
    """
    return _text(value, "Nickname", MAX_NICKNAME_CHARS)


def _probability(value: object, label: str) -> float:
    # bool is an int in Python, and "0.5" is text: neither is a probability someone gave.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise refusal(label, value, "a number in [0, 1]")
    try:
        number = float(value)
    except OverflowError:  # an integer past float range
        number = math.inf
    if not math.isfinite(number) or not 0.0 <= number <= 1.0:
        raise refusal(label, value, "a finite number in [0, 1]")
    return number


def check_probabilities(values: object, num_options: int) -> tuple[float, ...]:
    """One probability per option, each finite in [0, 1], summing to 1 within SUM_TOLERANCE.

    >>> check_probabilities([0.25, 0.75], 2)
    (0.25, 0.75)
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise refusal("Probabilities", values, f"a list of {num_options} numbers")
    if len(values) != num_options:
        raise refusal("Probabilities", f"{len(values)} numbers", f"one per option ({num_options})")
    probs = tuple(_probability(v, f"Probability {i + 1}") for i, v in enumerate(values))
    total = math.fsum(probs)
    if abs(total - 1.0) > SUM_TOLERANCE:
        raise refusal("Probabilities", f"a sum of {total:.6g}", f"a sum of 1 (± {SUM_TOLERANCE:g})")
    return probs


def check_question(value: object) -> Question:
    """A question from its stored form {"q": prompt, "o": options, "a": answer, "z": logits?}."""
    if not isinstance(value, dict):
        raise refusal("Question", value, "a question")
    prompt = _text(value.get("q"), "Question", MAX_PROMPT_CHARS)
    options = value.get("o")
    if not isinstance(options, list) or not 2 <= len(options) <= MAX_OPTIONS:
        raise refusal("Options", options, f"2 to {MAX_OPTIONS} options")
    names = tuple(_text(o, "Option", MAX_OPTION_CHARS) for o in options)
    if len(set(names)) != len(names):
        raise refusal("Options", ", ".join(names), "options with different names")
    answer = value.get("a")
    if isinstance(answer, bool) or not isinstance(answer, int) or not 0 <= answer < len(names):
        raise refusal("Answer", answer, f"the index of one of the {len(names)} options")
    logits = value.get("z")
    if logits is not None:
        if not isinstance(logits, list) or len(logits) != len(names):
            raise refusal("Logits", logits, f"{len(names)} numbers")
        if not all(
            isinstance(z, (int, float)) and not isinstance(z, bool) and math.isfinite(z)
            for z in logits
        ):
            raise refusal("Logits", logits, "finite numbers")
        logits = tuple(float(z) for z in logits)
    return Question(prompt, names, answer, logits)


def check_poll_size(questions: Sequence[Question]) -> list[Question]:
    """A poll's questions: 1 to MAX_QUESTIONS of them, from every source together."""
    if not 1 <= len(questions) <= MAX_QUESTIONS:
        count = f"{len(questions)} question" + ("" if len(questions) == 1 else "s")
        raise _refused("Questions", count, f"1 to {MAX_QUESTIONS} questions in a poll")
    return list(questions)


def check_token(value: object, label: str = "Poll code") -> str:
    """A token as `secrets.token_urlsafe` writes it (8 to 64 URL-safe characters)."""
    if not isinstance(value, str) or not _TOKEN.fullmatch(value):
        raise refusal(label, value, "a code of 8 to 64 letters, digits, - or _")
    return value


def parse_own_questions(text: str) -> tuple[list[Question], list[Problem]]:
    """The teacher's own questions, one a line: `prompt | option | *right option | …`.

    A line with a single answer `true` or `false` is a true/false question. Blank lines are
    skipped; every bad line is a problem naming its line as the text box counts them (only a
    line break ends a line). How many questions a poll holds is `check_poll_size`'s rule.

    >>> qs, problems = parse_own_questions("2 + 2 = 4 | true\\nCapital of France? | Rome | *Paris")
    >>> [(q.options, q.answer) for q in qs], problems
    ([(('true', 'false'), 0), (('Rome', 'Paris'), 1)], [])
    >>> print(parse_own_questions("ok | true\\nWho? | *a | *b")[1][0])
    Line 2: expected one option marked right with *, or a single true / false; got “Who? | *a | *b”.
    """
    questions: list[Question] = []
    problems: list[Problem] = []
    for number, line in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        if not line.strip():
            continue
        where = f"Line {number}"
        prompt, *options = (part.strip() for part in line.split("|"))
        if len(options) == 1 and options[0].lower() in ("true", "false"):
            draft = {"q": prompt, "o": ["true", "false"], "a": int(options[0].lower() == "false")}
        else:
            marked = [i for i, o in enumerate(options) if o.startswith("*")]
            if len(marked) != 1:
                problems.append(
                    Problem(
                        "questions",
                        number,
                        None,
                        f"“{quote(line, _QUOTED_CHARS)}”",
                        "one option marked right with *, or a single true / false",
                        label=where,
                    )
                )
                continue
            names = [o.removeprefix("*").strip() for o in options]
            draft = {"q": prompt, "o": names, "a": marked[0]}
        try:
            questions.append(check_question(draft))
        except PollInputError as refused:
            label = f"{where}, {refused.problem.label.lower()}"  # "Line 3, option: …"
            problems.append(replace(refused.problem, input="questions", row=number, label=label))
    return questions, problems
