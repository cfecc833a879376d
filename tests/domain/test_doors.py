"""Every way into a scenario refuses the same bad value with the same words.

A door is a function draft → the messages it shows, where a draft is what `check_scenario`
reads. Each door says which fields of a draft it can carry (Random only names classes); every
bad scenario below goes through every door that can carry it and must give the same message.
The Learn pages' text boxes are doors of single values: each names its place its own way
("Entry 2" of a box, "Row 1, column “cat”" of a table), and says the rest in the same words.
Your model's "open in the Playground" cleans what it carries until the check accepts it (see
tests/your_model/test_analysis.py::test_any_class_names_open_in_the_playground).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pytest
from app_helpers import link_token

from xentui.domain import presets
from xentui.domain.presets import check_random
from xentui.domain.scenario import Scenario
from xentui.domain.share_link import LinkError, decode
from xentui.lessons.logits_choice import parse_logits
from xentui.lessons.soft_targets import parse_distributions
from xentui.playground import editor

Draft = Mapping[str, object]

GOOD: dict[str, object] = {
    "classes": ["cat", "dog", "pig"],
    "logits": [[1, 2, 3], [2, 4, 6]],
    "targets": [0, 2],
    "ignored": [False, False],
    "soft_targets": None,
    "weights": None,
    "reduction": "mean",
    "label_smoothing": 0.0,
    "temperature": 1.0,
    "precision": "float32",
}


def through_the_editors(draft: Draft) -> list[str]:
    """The draft typed into the Playground's tables and options, read back as the page does."""
    scenario = Scenario(**{k: v for k, v in draft.items() if k != "weights"})
    classes = editor.classes_frame(scenario)
    if draft.get("weights") is not None:
        classes["weight"] = [f"{w:g}" for w in draft["weights"]]
    soft = draft.get("soft_targets")
    options = {k: draft[k] for k in ("reduction", "precision", "label_smoothing", "temperature")}
    # As the page: the samples tables follow the classes once they are valid, else keep the last
    # valid names (GOOD's).
    names, _ = editor.read_classes(classes)
    checked = editor.read_scenario(
        classes,
        editor.logits_frame(scenario),
        None if soft is None else editor.soft_targets_frame(scenario),
        options,
        names or GOOD["classes"],
    )
    return [str(p) for p in checked.problems]


_LINK_KEYS = {
    "classes": "c",
    "logits": "z",
    "targets": "t",
    "soft_targets": "q",
    "weights": "w",
    "reduction": "r",
    "label_smoothing": "s",
    "temperature": "T",
    "precision": "p",
}


def through_a_link(draft: Draft) -> list[str]:
    """The draft written into a share link by hand, opened as the Playground opens it."""
    payload = {key: draft[field] for field, key in _LINK_KEYS.items() if draft[field] is not None}
    payload["i"] = [i for i, flag in enumerate(draft["ignored"]) if flag]
    try:
        decode(link_token(payload))
    except LinkError as refused:
        return [str(p) for p in refused.problems]
    return []


def through_a_preset(draft: Draft) -> list[str]:
    """The draft written as one of the presets the app ships."""
    try:
        presets._preset(**draft, title="a preset")
    except ValueError as refused:
        return str(refused).splitlines()[1:]
    return []


def through_random(draft: Draft) -> list[str]:
    """ "Random" asked for the draft's classes (names and count) and sample count."""
    n, classes = len(draft["logits"]), tuple(draft["classes"])
    return [str(p) for p in check_random(n, len(classes), 0, 2.0, classes).problems]


@dataclass(frozen=True)
class Door:
    name: str
    open: Callable[[Draft], list[str]]
    fields: frozenset[str]  # the draft fields this door can carry


SCENARIO_FIELDS = frozenset(GOOD)
DOORS = [
    Door("classes editor", through_the_editors, frozenset({"classes", "weights"})),
    Door("logits editor", through_the_editors, frozenset({"logits", "targets", "ignored"})),
    Door("probability editor", through_the_editors, frozenset({"soft_targets"})),
    Door(
        "options",
        through_the_editors,
        frozenset({"reduction", "precision", "label_smoothing", "temperature"}),
    ),
    Door("share link", through_a_link, SCENARIO_FIELDS),
    Door("preset", through_a_preset, SCENARIO_FIELDS),
    Door("random", through_random, frozenset({"classes"})),
]

# (what is wrong, the fields that differ from GOOD, the one message every door gives)
BAD_SCENARIOS = [
    (
        "weight 1e9",
        {"weights": [1e9, 1, 1]},
        "Row 1, column “weight”: expected a weight from 0 to 1e+06; got 1e+09.",
    ),
    (
        "logit 1e9",
        {"logits": [[1e9, 2, 3], [2, 4, 6]]},
        "Row 1, column “cat”: expected a finite number within ±1e+06; got 1e+09.",
    ),
    (
        "a name of 41 characters",
        {"classes": ["cat", "d" * 41, "pig"]},
        "Row 2, column “name”: expected a name of at most 40 characters; got 41 characters.",
    ),
    (
        "a name given twice",
        {"classes": ["cat", "dog", "cat"]},
        "Row 3, column “name”: expected a different name; got “cat” a second time.",
    ),
    (
        "a probability row summing to 1.5",
        {"soft_targets": [[1, 0.5, 0], [0, 0, 1]]},
        "Row 1: expected a row summing to 1 (within 0.001); got a row summing to 1.5.",
    ),
    (
        "temperature inf",
        {"temperature": float("inf")},
        "Temperature: expected a number in [0.05, 20]; got inf.",
    ),
]

CASES = [
    pytest.param(door, {**GOOD, **changes}, message, id=f"{what} through the {door.name}")
    for what, changes, message in BAD_SCENARIOS
    for door in DOORS
    if set(changes) <= door.fields
]


@pytest.mark.parametrize(("door", "draft", "message"), CASES)
def test_every_door_refuses_a_bad_scenario_in_the_same_words(door, draft, message):
    assert door.open(draft) == [message]


@pytest.mark.parametrize("door", DOORS, ids=[door.name for door in DOORS])
def test_every_door_lets_the_good_scenario_in(door):
    assert door.open(GOOD) == []


def test_every_bad_scenario_goes_through_several_doors():
    for what, changes, _ in BAD_SCENARIOS:
        doors = [door.name for door in DOORS if set(changes) <= door.fields]
        assert len(doors) >= 3, (what, doors)


def _typed(text_of_draft: Callable[[Draft], str], read: Callable[[str], object]):
    """A text box as a door: the draft's value typed into it, its one Problem read back."""

    def door(draft: Draft) -> list[str]:
        problem = read(text_of_draft(draft))
        return [] if problem is None else [problem.message]

    return door


def _row_text(rows: list[list[float]]) -> str:
    return "; ".join(", ".join(f"{v:g}" for v in row) for row in rows)


# (what is wrong, the fields that differ from GOOD, the text box that can carry it)
TYPED_DOORS = [
    (
        "logit 1e9",
        {"logits": [[1e9, 2, 3], [2, 4, 6]]},
        _typed(lambda d: _row_text(d["logits"][:1]), lambda text: parse_logits(text)[1]),
    ),
    (
        "a probability row summing to 1.5",
        {"soft_targets": [[1, 0.5, 0], [0, 0, 1]]},
        _typed(
            lambda d: _row_text(d["soft_targets"]),
            lambda text: parse_distributions(text, "targets p", 4).problem,
        ),
    ),
]


@pytest.mark.parametrize(
    ("changes", "typed"),
    [(c, door) for _, c, door in TYPED_DOORS],
    ids=[w for w, *_ in TYPED_DOORS],
)
def test_a_text_box_refuses_a_bad_value_in_the_words_of_the_editors(changes, typed):
    draft = {**GOOD, **changes}
    (in_the_editor,) = through_the_editors(draft)
    (in_the_box,) = typed(draft)
    assert in_the_editor.endswith(f": {in_the_box}.")
    good = {field: GOOD[field] or [[1, 0, 0], [0, 0, 1]] for field in changes}
    assert typed({**GOOD, **good}) == []
