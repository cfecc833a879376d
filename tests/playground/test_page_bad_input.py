"""The Playground's bad inputs through AppTest: each gets a message beside its table; the last
good result and the link stay."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from app_helpers import (
    DEFAULT_LOSS,
    alerts,
    arithmetic,
    cell_edit,
    edit_state,
    edit_table,
    editor_key,
    figure_traces,
    headline,
    new_sample,
    open_playground,
    open_torch_code,
    probabilities,
    torch_script,
    unescape,
)

from xentui.playground.editor import FIX_CELLS_NOTE, INFINITE_LOGITS_NOTE

# ------------------------------------------------------------------------------ bad inputs


@dataclass(frozen=True)
class BadInput:
    name: str
    table: str  # the editor the user typed into
    state: dict[str, object]
    message: str
    kind: str = "error"


LOGIT = "expected a finite number within ±1e+06; got"
WEIGHT = "expected a weight from 0 to 1e+06; got"
PROBABILITY = "expected a probability in [0, 1]; got"
TARGET = "expected a class (its name, or its index from 0 to 2); got nothing."
WEIGHED_NOTHING = (
    "Column “weight”: expected a kept sample whose target class weighs more than 0; got weight 0 "
    "on every kept sample's target class."
)

BAD_INPUTS = [
    BadInput(
        "empty cell",
        "logits",
        cell_edit(0, "c1", ""),
        f"Row 1, column “dog”: {LOGIT} an empty cell.",
    ),
    BadInput(
        "cleared cell",
        "logits",
        cell_edit(0, "c1", None),
        f"Row 1, column “dog”: {LOGIT} an empty cell.",
    ),
    BadInput(
        "whitespace only",
        "logits",
        cell_edit(0, "c1", "   "),
        f"Row 1, column “dog”: {LOGIT} an empty cell.",
    ),
    BadInput("text", "logits", cell_edit(0, "c1", "abc"), f"Row 1, column “dog”: {LOGIT} “abc”."),
    BadInput(
        "decimal comma", "logits", cell_edit(1, "c0", "1,5"), f"Row 2, column “cat”: {LOGIT} “1,5”."
    ),
    BadInput(
        "long text is cut",
        "logits",
        cell_edit(0, "c2", "x" * 30),
        f"Row 1, column “pig”: {LOGIT} “{'x' * 20}…”.",
    ),
    BadInput("nan", "logits", cell_edit(0, "c1", "nan"), f"Row 1, column “dog”: {LOGIT} nan."),
    *[
        BadInput(text, "logits", cell_edit(0, "c1", text), f"Row 1, column “dog”: {LOGIT} {text}.")
        for text in ("inf", "-inf")
    ],
    BadInput("1e30", "logits", cell_edit(0, "c1", "1e30"), f"Row 1, column “dog”: {LOGIT} 1e+30."),
    BadInput(
        "just above the logit limit",
        "logits",
        cell_edit(0, "c1", "1000001"),
        f"Row 1, column “dog”: {LOGIT} 1000001.",
    ),
    BadInput(
        "target left empty",
        "logits",
        cell_edit(0, "target", None),
        f"Row 1, column “target”: {TARGET}",
    ),
    BadInput(
        "new row without a target",
        "logits",
        edit_state(added=[new_sample("0", "0", "0", target=None)]),
        f"Row 3, column “target”: {TARGET}",
    ),
    BadInput(
        "new row with an empty cell",
        "logits",
        edit_state(added=[new_sample("1", None, "1", target="dog")]),
        f"Row 3, column “dog”: {LOGIT} an empty cell.",
    ),
    BadInput(
        "no samples",
        "logits",
        edit_state(deleted=[0, 1]),
        "Logits: expected 1 to 64 samples; got 0 rows.",
    ),
    BadInput(
        "no classes",
        "classes",
        edit_state(deleted=[0, 1, 2]),
        "Expected 2 to 32 classes; got 0 classes.",
    ),
    BadInput(
        "one class", "classes", edit_state(deleted=[1, 2]), "Expected 2 to 32 classes; got 1 class."
    ),
    BadInput(
        "duplicate class name",
        "classes",
        cell_edit(1, "name", "cat"),
        "Row 2, column “name”: expected a different name; got “cat” a second time.",
    ),
    *[
        BadInput(
            name,
            "classes",
            state,
            f"Row {row}, column “name”: expected a name for every class; got an empty name.",
        )
        for name, state, row in (
            ("empty class name", cell_edit(1, "name", ""), 2),
            ("blank class name", cell_edit(2, "name", "  "), 3),
            ("new class without a name", edit_state(added=[{"weight": "1"}]), 4),
        )
    ],
    BadInput(
        "class name over 40 characters",
        "classes",
        cell_edit(1, "name", "d" * 41),
        "Row 2, column “name”: expected a name of at most 40 characters; got 41 characters.",
    ),
    BadInput(
        "negative weight",
        "classes",
        cell_edit(1, "weight", "-1"),
        f"Row 2, column “weight”: {WEIGHT} -1.",
    ),
    BadInput(
        "text weight",
        "classes",
        cell_edit(1, "weight", "heavy"),
        f"Row 2, column “weight”: {WEIGHT} “heavy”.",
    ),
    BadInput(
        "infinite weight",
        "classes",
        cell_edit(0, "weight", "inf"),
        f"Row 1, column “weight”: {WEIGHT} inf.",
    ),
    BadInput(
        "huge weight",
        "classes",
        cell_edit(1, "weight", "1e7"),
        f"Row 2, column “weight”: {WEIGHT} 1e+07.",
    ),
    BadInput(
        "all weights 0",
        "classes",
        edit_state(edited={i: {"weight": "0"} for i in range(3)}),
        "Column “weight”: expected at least one positive weight; got every weight 0.",
    ),
    BadInput(
        "every kept target weighs 0",
        "classes",
        edit_state(edited={0: {"weight": "0"}, 2: {"weight": "0"}}),
        WEIGHED_NOTHING,
    ),
    BadInput(
        "kept targets weigh 0 in float32",
        "classes",
        edit_state(edited={0: {"weight": "1e-50"}, 2: {"weight": "1e-50"}}),
        WEIGHED_NOTHING,
    ),
    BadInput(
        "probability row not summing to 1",
        "soft",
        cell_edit(0, "c1", "0.5"),
        "Row 1: expected a row summing to 1 (within 0.001); got a row summing to 1.5.",
    ),
    BadInput(
        "probability 1.5",
        "soft",
        cell_edit(0, "c0", "1.5"),
        f"Row 1, column “cat”: {PROBABILITY} 1.5.",
    ),
    BadInput(
        "negative probability",
        "soft",
        cell_edit(1, "c2", "-0.1"),
        f"Row 2, column “pig”: {PROBABILITY} -0.1.",
    ),
    BadInput(
        "text probability",
        "soft",
        cell_edit(0, "c0", "half"),
        f"Row 1, column “cat”: {PROBABILITY} “half”.",
    ),
    BadInput(
        "empty probability",
        "soft",
        cell_edit(0, "c0", ""),
        f"Row 1, column “cat”: {PROBABILITY} an empty cell.",
    ),
    BadInput(
        "NaN probability",
        "soft",
        cell_edit(0, "c0", "nan"),
        f"Row 1, column “cat”: {PROBABILITY} nan.",
    ),
]


def test_the_bad_input_table_is_not_thin():
    assert len(BAD_INPUTS) >= 20
    assert len({case.name for case in BAD_INPUTS}) == len(BAD_INPUTS)


@pytest.mark.parametrize("case", BAD_INPUTS, ids=[case.name for case in BAD_INPUTS])
def test_a_bad_input_gets_a_message_and_the_last_good_result_stays(case: BadInput):
    at = open_playground()
    if case.table == "soft":
        at.toggle(key="opt_soft").set_value(True).run()
    key = editor_key(at, case.table)
    edit_table(at, case.table, case.state)

    assert alerts(at, case.kind) == [case.message]
    if case.kind != "error":
        assert alerts(at, "error") == []
    assert f":material/error: {FIX_CELLS_NOTE}" in [c.value for c in at.caption]
    assert headline(at) == ("Mean loss", DEFAULT_LOSS + " nats")
    assert arithmetic(at) == "(2.4076 + 0.1429) / 2 = 1.2753"
    assert len(figure_traces(at)) == 2  # the rest of the page still draws
    # What the user typed is still there: the same editor, holding the same edits.
    assert editor_key(at, case.table) == key
    assert at.session_state[key] == case.state


@pytest.mark.parametrize(
    ("name", "escaped"),
    [
        ("**bold**", r"\*\*bold\*\*"),
        ("<script>alert(1)</script>", r"\<script\>alert\(1\)\</script\>"),
        ("[link](http://x.example)", r"\[link\]\(http\://x\.example\)"),
    ],
    ids=["markdown", "html", "markdown link"],
)
def test_a_class_name_with_markup_is_valid_and_shown_literally(name, escaped):
    at = open_playground()
    edit_table(at, "classes", cell_edit(1, "name", name))
    assert alerts(at, "error") == []
    assert headline(at) == ("Mean loss", DEFAULT_LOSS + " nats")
    assert list(probabilities(at).columns[:3]) == ["cat", name, "pig"]
    assert f"classes = ['cat', {name!r}, 'pig']" in torch_script(open_torch_code(at))
    # Where the name reaches Markdown (a message about its column) it arrives escaped.
    edit_table(at, "logits", cell_edit(0, "c1", "?"))
    [message] = at.error
    assert f"column “{escaped}”" in message.value
    assert unescape(message.value) == (
        f"Row 1, column “{name}”: expected a finite number within ±1e+06; got “?”."
    )


def test_a_bad_input_leaves_the_link_on_the_last_valid_scenario():
    at = open_playground()
    edit_table(at, "logits", cell_edit(0, "c1", "5"))
    token = at.query_params["s"]
    edit_table(at, "logits", cell_edit(0, "c1", "abc"))
    assert at.query_params["s"] == token


@pytest.mark.parametrize(("text", "shown"), [("inf", True), ("-inf", True), ("1e30", False)])
def test_an_infinite_logit_is_refused_with_what_pytorch_would_do(text, shown):
    at = open_playground()
    edit_table(at, "logits", cell_edit(0, "c1", text))
    captions = [unescape(c.value) for c in at.caption]
    assert (INFINITE_LOGITS_NOTE in captions) == shown
    assert headline(at) == ("Mean loss", DEFAULT_LOSS + " nats")
