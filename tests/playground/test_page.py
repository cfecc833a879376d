"""The Playground page through AppTest: every output, edit, option, link and bad input.

Expected numbers come from xentcore (the numeric core, tested against PyTorch on its own) or, for
the default scenario and the presets, from the seed documents they reproduce.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
import streamlit.elements.widgets.data_editor as streamlit_data_editor
from app_helpers import (
    alerts,
    arithmetic,
    assert_no_exception,
    cell_edit,
    click_button,
    edit_state,
    edit_table,
    editor_key,
    editor_table,
    figure_traces,
    headline,
    markdown_starting,
    new_sample,
    open_playground,
    open_presets,
    open_torch_code,
    printed,
    probabilities,
    torch_script,
    unescape,
)

import xentcore
from xentui.domain.presets import PRESETS, random_scenario
from xentui.kit.format import fmt

TORCH_PREFIX = "`torch.nn.functional.cross_entropy` gives"
IGNORED = -100


@dataclass(frozen=True)
class Expected:
    """A scenario written out by hand; its numbers come from xentcore, not from the page."""

    classes: tuple[str, ...] = ("cat", "dog", "pig")
    logits: tuple[tuple[float, ...], ...] = ((1, 2, 3), (2, 4, 6))
    targets: tuple[int, ...] = (0, 2)
    ignored: tuple[bool, ...] = (False, False)
    weight: tuple[float, ...] | None = None

    @property
    def x(self) -> np.ndarray:
        return np.asarray(self.logits, dtype=np.float32)

    @property
    def target(self) -> np.ndarray:
        return np.where(self.ignored, IGNORED, self.targets)

    @property
    def weight_array(self) -> np.ndarray | None:
        return None if self.weight is None else np.asarray(self.weight, dtype=np.float32)

    @property
    def per_sample(self) -> np.ndarray:
        return xentcore.cross_entropy(
            self.x, self.target, weight=self.weight_array, reduction="none"
        )

    @property
    def mean(self) -> float:
        return float(xentcore.cross_entropy(self.x, self.target, weight=self.weight_array))

    @property
    def arithmetic(self) -> str:
        kept = [i for i, skip in enumerate(self.ignored) if not skip]
        terms = " + ".join(fmt(float(self.per_sample[i])) for i in kept)
        if self.weight is None:
            denominator = str(len(kept))
        else:
            denominator = f"({' + '.join(f'{self.weight[self.targets[i]]:g}' for i in kept)})"
        return f"({terms}) / {denominator} = {fmt(self.mean)}"


def assert_page_shows(at, expected: Expected) -> None:
    """Every output of the page agrees with `expected`: headline, arithmetic, table, figures."""
    assert_no_exception(at)
    assert alerts(at, "error") == []
    assert headline(at) == ("Mean loss", fmt(expected.mean) + " nats")
    assert arithmetic(at) == expected.arithmetic
    probs = xentcore.softmax(expected.x)
    right = probs.argmax(axis=1) == np.asarray(expected.targets)
    assert at.metric[1].value == f"{right.mean():.2%}"

    table = probabilities(at)
    n, c = probs.shape
    assert list(table.columns[:c]) == list(expected.classes)
    np.testing.assert_allclose(table.iloc[:, :c].to_numpy(), probs, rtol=1e-6)
    assert list(table["target"]) == [expected.classes[t] for t in expected.targets]
    losses = np.where(expected.ignored, np.nan, expected.per_sample)
    np.testing.assert_allclose(table["loss"].to_numpy(float), losses, rtol=1e-6)

    own_loss = -np.log(probs[np.arange(n), list(expected.targets)])
    traces = figure_traces(at)
    faded, diagonal = traces["matrix"]
    np.testing.assert_allclose(np.diagonal(diagonal["z"]), own_loss, rtol=1e-5)
    cross = -np.log(probs[:, list(expected.targets)].T)  # row i: sample i's target vs column j
    np.fill_diagonal(cross, np.nan)
    np.testing.assert_allclose(faded["z"], cross, rtol=1e-5)
    points = traces["curve"][1]
    np.testing.assert_allclose(points["x"], probs[np.arange(n), list(expected.targets)], rtol=1e-6)
    assert points["text"] == [f"sample {i + 1}" for i in range(n)]

    assert markdown_starting(at, TORCH_PREFIX).endswith(f"**{fmt(expected.mean)}** — the same.")


# ------------------------------------------------------------------------------ default view


def test_default_view_shows_the_walkthrough_numbers():
    at = open_playground()
    assert headline(at) == ("Mean loss", "1.2753 nats")
    assert arithmetic(at) == "(2.4076 + 0.1429) / 2 = 1.2753"
    assert at.metric[1].value == "50.00%"
    assert printed(probabilities(at)[["cat", "dog", "pig"]]) == [
        ["0.0900", "0.2447", "0.6652"],
        ["0.0159", "0.1173", "0.8668"],
    ]
    traces = figure_traces(at)
    faded, diagonal = traces["matrix"]
    assert printed(np.diagonal(diagonal["z"])) == ["2.4076", "0.1429"]
    assert printed([faded["z"][0, 1], faded["z"][1, 0]]) == ["4.1429", "0.4076"]
    assert diagonal["text"] == [["2.4076", ""], ["", "0.1429"]]
    assert faded["text"] == [["", "4.1429"], ["0.4076", ""]]
    points = traces["curve"][1]
    assert points["text"] == ["sample 1", "sample 2"]
    assert printed(points["y"]) == ["2.4076", "0.1429"]
    assert markdown_starting(at, TORCH_PREFIX) == (
        f"{TORCH_PREFIX}, with reduction 'mean', **1.2753** — the same."
    )
    assert "s" not in at.query_params
    assert_page_shows(at, Expected())


# ------------------------------------------------------------------------------ edits

CAT_DOG_PIG = ("cat", "dog", "pig")

# (what the user does, the editor steps [(table, edit state)], the scenario that should result)
EDITS = [
    (
        "change a logit",
        [("logits", edit_state(edited={0: {"c1": "5"}}))],
        Expected(logits=((1, 5, 3), (2, 4, 6))),
    ),
    (
        "change a target",
        [("logits", edit_state(edited={1: {"target": "dog"}}))],
        Expected(targets=(0, 1)),
    ),
    (
        "add a row",
        [("logits", edit_state(added=[new_sample("0.5", "-1", "2", target="dog")]))],
        Expected(
            logits=((1, 2, 3), (2, 4, 6), (0.5, -1, 2)),
            targets=(0, 2, 1),
            ignored=(False, False, False),
        ),
    ),
    (
        "delete a row",
        [("logits", edit_state(deleted=[0]))],
        Expected(logits=((2, 4, 6),), targets=(2,), ignored=(False,)),
    ),
    (
        "tick ignore",
        [("logits", edit_state(edited={0: {"ignore": True}}))],
        Expected(ignored=(True, False)),
    ),
    (
        "add a class",
        [("classes", edit_state(added=[{"name": "cow", "weight": "1"}]))],
        Expected(classes=(*CAT_DOG_PIG, "cow"), logits=((1, 2, 3, 0), (2, 4, 6, 0))),
    ),
    (
        "add a class, then give it a logit",
        [
            ("classes", edit_state(added=[{"name": "cow", "weight": "1"}])),
            ("logits", edit_state(edited={0: {"c3": "4"}})),
        ],
        Expected(classes=(*CAT_DOG_PIG, "cow"), logits=((1, 2, 3, 4), (2, 4, 6, 0))),
    ),
    (
        "remove the middle class",
        [("classes", edit_state(deleted=[1]))],
        Expected(classes=("cat", "pig"), logits=((1, 3), (2, 6)), targets=(0, 1)),
    ),
    (
        "remove the last class, then retarget the orphaned sample",
        [
            ("classes", edit_state(deleted=[2])),
            ("logits", edit_state(edited={1: {"target": "dog"}})),
        ],
        Expected(classes=("cat", "dog"), logits=((1, 2), (2, 4)), targets=(0, 1)),
    ),
    (
        "rename a class",
        [("classes", edit_state(edited={2: {"name": "hog"}}))],
        Expected(classes=("cat", "dog", "hog")),
    ),
    (
        "set a class weight",
        [("classes", edit_state(edited={0: {"weight": "2"}}))],
        Expected(weight=(2, 1, 1)),
    ),
    (
        "weights with an ignored sample",
        [
            ("classes", edit_state(edited={0: {"weight": "2"}, 2: {"weight": "0.5"}})),
            (
                "logits",
                edit_state(added=[new_sample("0", "1", "0", target="pig")]),
            ),
            (
                "logits",
                edit_state(
                    edited={0: {"ignore": True}},
                    added=[new_sample("0", "1", "0", target="pig")],
                ),
            ),
        ],
        Expected(
            logits=((1, 2, 3), (2, 4, 6), (0, 1, 0)),
            targets=(0, 2, 2),
            ignored=(True, False, False),
            weight=(2, 1, 0.5),
        ),
    ),
]


@pytest.mark.parametrize(
    ("steps", "expected"), [case[1:] for case in EDITS], ids=[case[0] for case in EDITS]
)
def test_edits_change_every_output(steps, expected):
    at = open_playground()
    for table, state in steps:
        edit_table(at, table, state)
    assert_page_shows(at, expected)


def test_renamed_class_carries_its_targets_along():
    at = open_playground()
    edit_table(at, "classes", edit_state(edited={2: {"name": "hog"}}))
    assert list(editor_table(at, "logits")["target"]) == ["cat", "hog"]
    assert list(probabilities(at)["prediction"]) == ["hog", "hog"]


def test_a_weight_typed_for_a_class_just_added_is_kept():
    """Add a class, then (next run) type its weight and another's: both reach the scenario."""
    at = open_playground()
    classes_key = editor_key(at, "classes")
    edit_table(at, "classes", edit_state(added=[{"name": "cow", "weight": "1"}]))
    edit_table(
        at,
        "classes",
        edit_state(edited={0: {"weight": "2"}}, added=[{"name": "cow", "weight": "5"}]),
    )
    assert editor_key(at, "classes") == classes_key  # the same editor, holding every edit
    assert alerts(at, "error") == []
    assert at.session_state["scenario"].weights == (2.0, 1.0, 1.0, 5.0)
    edit_table(at, "logits", edit_state(edited={0: {"c3": "4", "target": "cow"}}))
    assert at.session_state["scenario"].weights == (2.0, 1.0, 1.0, 5.0)
    assert at.session_state["scenario"].targets == (3, 2)


def test_class_weight_shows_the_weighted_denominator():
    at = open_playground()
    edit_table(at, "classes", edit_state(edited={0: {"weight": "2"}}))
    assert arithmetic(at) == "(4.8152 + 0.1429) / (2 + 1) = 1.6527"
    assert (
        "In nats. Each term is one sample's loss as reduction 'none' returns it (weighted, "
        "−Σ w · y · log p). With class weights, the mean divides by Σ w[target] over the samples "
        "not ignored, not by N."
    ) in [unescape(c.value) for c in at.caption]
    assert markdown_starting(at, "Weighted loss of") == (
        "Weighted loss of sample 1: −Σ w · y · log p = **4.8152 nats**; unweighted, "
        "−Σ y · log p = 2.4076 nats."
    )


def test_a_bad_edit_keeps_the_last_valid_result_not_the_default():
    at = open_playground()
    edit_table(at, "logits", edit_state(edited={0: {"c1": "5"}}))
    assert headline(at) == ("Mean loss", "2.1429 nats")
    edit_table(at, "logits", edit_state(edited={0: {"c1": "5", "c2": "abc"}}))
    assert headline(at) == ("Mean loss", "2.1429 nats")
    assert alerts(at, "error") == [
        "Row 1, column “pig”: expected a finite number within ±1e+06; got “abc”."
    ]


def test_clicking_a_point_on_the_curve_shows_that_sample_s_breakdown():
    at = open_playground()
    at.session_state["curve"] = {"selection": {"points": [{"curve_number": 1, "point_index": 1}]}}
    at.run()
    assert_no_exception(at)
    assert markdown_starting(at, "Loss of") == "Loss of sample 2: −Σ y · log p = **0.1429 nats**"
    assert list(figure_traces(at)["curve"][1]["marker"]["size"]) == [11, 16]


def test_deleting_the_focused_sample_falls_back_to_the_first():
    at = open_playground()
    at.selectbox(key="focus_sample").set_value(1).run()
    edit_table(at, "logits", edit_state(deleted=[1]))
    assert markdown_starting(at, "Loss of") == "Loss of sample 1: −Σ y · log p = **2.4076 nats**"


# ------------------------------------------------------------------------------ options

REDUCTIONS = [
    # (reduction, metric label, value, reduction line, per-sample losses line or None)
    ("mean", "Mean loss", "1.2753 nats", "**Mean:** (2.4076 + 0.1429) / 2 = 1.2753", None),
    ("sum", "Summed loss", "2.5505 nats", "**Sum:** 2.4076 + 0.1429 = 2.5505", None),
    (
        "none",
        "Mean loss (reduction: none)",
        "1.2753 nats",
        "**Mean:** (2.4076 + 0.1429) / 2 = 1.2753",
        "**Per-sample losses (reduction none):** sample 1: 2.4076, sample 2: 0.1429",
    ),
]


@pytest.mark.parametrize(("reduction", "label", "value", "line", "per_sample"), REDUCTIONS)
def test_reduction_changes_the_metric_and_its_arithmetic(reduction, label, value, line, per_sample):
    at = open_playground()
    at.segmented_control(key="opt_reduction").set_value("sum").run()  # away from the default
    at.segmented_control(key="opt_reduction").set_value(reduction).run()
    assert_no_exception(at)
    assert headline(at) == (label, value)
    assert markdown_starting(at, "**Mean:**" if reduction != "sum" else "**Sum:**") == line
    listed = [m.value for m in at.markdown if m.value.startswith("**Per-sample")]
    assert listed == ([per_sample] if per_sample else [])
    if reduction == "none":  # PyTorch returns the vector: the vector is compared
        assert markdown_starting(at, TORCH_PREFIX).endswith(
            "the vector **[2.4076, 0.1429]** — the same as the loss column."
        )
        assert "tensor([2.4076, 0.1429])\n" in [c.value[:25] for c in open_torch_code(at).code]
    else:
        assert markdown_starting(at, TORCH_PREFIX).endswith(
            f"**{value.removesuffix(' nats')}** — the same."
        )


@pytest.mark.parametrize(
    ("smoothing", "temperature"),
    [(0.1, 1.0), (1.0, 1.0), (0.0, 2.0), (0.0, 0.5), (0.2, 3.0)],
    ids=["smoothing 0.1", "smoothing 1", "temperature 2", "temperature 0.5", "both"],
)
def test_smoothing_and_temperature_match_xentcore(smoothing, temperature):
    at = open_playground()
    at.slider(key="opt_smoothing").set_value(smoothing)
    at.number_input(key="opt_temperature").set_value(temperature).run()
    assert_no_exception(at)
    x = Expected().x / np.float32(temperature)
    expected = float(xentcore.cross_entropy(x, Expected().target, label_smoothing=smoothing))
    assert headline(at) == ("Mean loss", fmt(expected) + " nats")
    assert markdown_starting(at, TORCH_PREFIX).endswith(f"**{fmt(expected)}** — the same.")
    assert "s" in at.query_params


@pytest.mark.parametrize("precision", ["float32", "float64"])
def test_precision_sets_the_dtype_of_every_number(precision):
    at = open_playground()
    if precision == "float64":
        at.segmented_control(key="opt_precision").set_value("float64").run()
    expected = Expected()
    each = {
        dtype: xentcore.cross_entropy(expected.x.astype(dtype), expected.target, reduction="none")
        for dtype in ("float32", "float64")
    }
    assert not np.array_equal(each["float32"], each["float64"])  # so equality pins the dtype
    np.testing.assert_array_equal(probabilities(at)["loss"].to_numpy(), each[precision])
    assert f"dtype=torch.{precision}" in torch_script(open_torch_code(at))


def test_probability_targets_score_each_row_against_its_distribution():
    at = open_playground()
    edit_table(at, "logits", edit_state(edited={0: {"c1": "5"}}))
    at.toggle(key="opt_soft").set_value(True).run()
    assert_no_exception(at)
    # One-hot rows on the targets give the hard-target loss, and the logit edit survived.
    assert headline(at) == ("Mean loss", "2.1429 nats")
    assert (
        "In nats. Each term is one sample's loss as reduction 'none' returns it (−Σ y · log p). "
        "With probability targets, the mean divides by N."
    ) in [unescape(c.value) for c in at.caption]
    edit_table(at, "soft", edit_state(edited={0: {"c0": "0.5", "c1": "0.5"}}))
    soft = np.array([[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]], dtype=np.float32)
    x = np.asarray(((1, 5, 3), (2, 4, 6)), dtype=np.float32)
    expected = float(xentcore.cross_entropy(x, soft))
    assert headline(at) == ("Mean loss", fmt(expected) + " nats")
    assert markdown_starting(at, TORCH_PREFIX).endswith(f"**{fmt(expected)}** — the same.")


def test_probability_rows_are_numbered_as_their_messages_number_them():
    at = open_playground()
    at.toggle(key="opt_soft").set_value(True).run()
    edit_table(at, "soft", edit_state(edited={1: {"c0": "0.5"}}))  # the second row, position 1
    assert list(editor_table(at, "soft").index) == [1, 2]
    assert [unescape(e.value) for e in at.error] == [
        "Row 2: expected a row summing to 1 (within 0.001); got a row summing to 1.5."
    ]


def test_toggling_probability_targets_keeps_the_sample_edits():
    at = open_playground()
    edit_table(at, "logits", edit_state(edited={0: {"c1": "5"}}, deleted=[1]))
    for soft in (True, False):
        at.toggle(key="opt_soft").set_value(soft).run()
        assert_no_exception(at)
        assert headline(at) == ("Mean loss", "4.1429 nats")
        assert editor_table(at, "logits")[["c0", "c1", "c2"]].to_numpy().tolist() == [
            ["1", "5", "3"]
        ]


def test_deleting_a_sample_deletes_its_probability_row():
    at = open_playground()
    at.toggle(key="opt_soft").set_value(True).run()
    edit_table(at, "soft", edit_state(edited={1: {"c1": "0.5", "c2": "0.5"}}))
    edit_table(at, "logits", edit_state(deleted=[0]))
    assert editor_table(at, "soft").to_numpy().tolist() == [["0", "0.5", "0.5"]]
    x = np.asarray([[2, 4, 6]], dtype=np.float32)
    expected = float(xentcore.cross_entropy(x, np.asarray([[0, 0.5, 0.5]], dtype=np.float32)))
    assert headline(at) == ("Mean loss", fmt(expected) + " nats")


def test_a_new_sample_starts_one_hot_on_its_target_in_probability_mode():
    at = open_playground()
    at.toggle(key="opt_soft").set_value(True).run()
    edit_table(at, "logits", edit_state(added=[new_sample("0", "0", "0", target="dog")]))
    assert editor_table(at, "soft").to_numpy().tolist()[-1] == ["0", "1", "0"]
    one_hot = Expected(
        logits=((1, 2, 3), (2, 4, 6), (0, 0, 0)), targets=(0, 2, 1), ignored=(False,) * 3
    )
    assert headline(at) == ("Mean loss", fmt(one_hot.mean) + " nats")


# --------------------------------------------------------------------- rows beyond the limits


@pytest.fixture
def editor_work(monkeypatch):
    """Every (table rows, added rows) Streamlit's data editor applied: its per-row work."""
    seen: list[tuple[int, int]] = []
    apply = streamlit_data_editor._apply_dataframe_edits

    def recording(df, state, schema):
        seen.append((len(df), len(state.get("added_rows") or [])))
        return apply(df, state, schema)

    monkeypatch.setattr(streamlit_data_editor, "_apply_dataframe_edits", recording)
    return seen


def pasted_samples(count: int) -> list[dict[str, object]]:
    return [new_sample(str(i), "0", "0", target="pig") for i in range(count)]


@pytest.mark.parametrize("count", [64, 3000])
def test_samples_pasted_beyond_the_limit_are_refused_before_the_editor_adds_them(
    count, editor_work
):
    # Streamlit adds each new row with its own DataFrame.loc: 3,000 pasted rows cost seconds on
    # every rerun of the session. Rows beyond 64 never reach it; the first ones are kept.
    at = open_playground()
    key = editor_key(at, "logits")
    edit_table(at, "logits", edit_state(edited={0: {"c1": "5"}}, added=pasted_samples(count)))
    assert alerts(at) == [
        f"{count - 62:,} new rows were beyond the 64-sample limit and were left out; the first 62 "
        "are kept."
    ]
    assert all(rows + added <= 64 for rows, added in editor_work)
    assert editor_key(at, "logits") != key  # a new editor: the browser drops the rest
    table = editor_table(at, "logits")
    assert len(table) == 64
    assert table["c0"].tolist() == ["1", "2", *(str(i) for i in range(62))]
    assert table.loc[0, "c1"] == "5"  # the edit typed beside the paste is kept
    shown = at.session_state["scenario"]
    assert (shown.num_samples, shown.targets[-1], alerts(at, "info")) == (64, 2, [])
    at.run()  # said while this editor stands; the next rerun costs nothing more
    assert len(alerts(at)) == 1
    assert all(rows + added <= 64 for rows, added in editor_work)
    click_button(open_presets(at), "Load preset")
    assert alerts(at) == []


def test_classes_pasted_beyond_the_limit_are_refused_and_the_logits_follow(editor_work):
    at = open_playground()
    rows = [{"name": f"extra {i}", "weight": "1"} for i in range(500)]
    edit_table(at, "classes", edit_state(deleted=[2], added=rows))
    assert alerts(at) == [
        "470 new rows were beyond the 32-class limit and were left out; the first 30 are kept."
    ]
    assert all(rows + added <= 32 for rows, added in editor_work)
    names = ["cat", "dog", *(f"extra {i}" for i in range(30))]
    assert editor_table(at, "classes")["name"].tolist() == names
    assert at.session_state["scenario"].classes == tuple(names)
    assert editor_table(at, "logits").shape == (2, 34)  # 32 class columns, target, ignore


def test_one_row_too_many_is_refused_and_the_rows_that_fit_stay_as_typed():
    at = open_playground()
    edit_table(at, "logits", edit_state(added=pasted_samples(62)))
    assert alerts(at) == []
    key = editor_key(at, "logits")
    edit_table(at, "logits", edit_state(added=[*pasted_samples(62), new_sample(target=None)]))
    assert alerts(at) == [
        "1 new row was beyond the 64-sample limit and was left out; the first 62 are kept."
    ]
    assert editor_key(at, "logits") != key
    assert editor_table(at, "logits")["c0"].tolist()[2:] == [str(i) for i in range(62)]


def test_a_paste_in_probability_mode_keeps_each_sample_s_probabilities():
    at = open_playground()
    at.toggle(key="opt_soft").set_value(True).run()
    edit_table(at, "soft", edit_state(edited={1: {"c1": "0.5", "c2": "0.5"}}))
    edit_table(at, "logits", edit_state(deleted=[0], added=pasted_samples(100)))
    assert len(alerts(at)) == 1
    soft = editor_table(at, "soft").to_numpy().tolist()
    assert len(soft) == 64
    assert soft[0] == ["0", "0.5", "0.5"]  # sample 2 moved up and kept its row
    assert soft[1:] == [["0", "0", "1"]] * 63  # the pasted samples, one-hot on their target
    assert at.session_state["scenario"].soft_targets[0] == (0.0, 0.5, 0.5)


def printed_like(value: float, seed_text: str) -> str:
    """`value` with as many digits as the seed printed ("3.7192e-03", "0.4170")."""
    if "e" in seed_text:
        return f"{value:.{len(seed_text.split('e')[0].split('.')[1])}e}"
    return f"{value:.{len(seed_text.split('.')[1])}f}"


# preset → (the metric it shows, the per-sample losses as the seed prints them, the mean likewise)
PRESET_SEEDS = {
    "Walkthrough: cat, dog, pig (mean 1.2753)": ("1.2753", ["2.4076", "0.1429"], "1.2753"),
    "PyTorch explainer: confident and right (0.0037)": ("0.0037", ["0.0037"], None),
    "PyTorch explainer: confident and wrong (16.0)": ("16.0000", ["16.0"], None),
    "PyTorch explainer: (1, 4, 2) output, one row per position": (
        "4.0037",
        ["3.7192e-03", "8.0037"],
        None,
    ),
    "PyTorch explainer: (2, 4, 2) output, one row per position": (
        "0.6235",
        ["2.4938", "1.1921e-07", "4.5418e-05", "4.5418e-05"],
        None,
    ),
    "Notebook: one sample, good prediction (0.4170)": ("0.4170", ["0.4170"], None),
    "Notebook: one sample, bad prediction (1.8406)": ("1.8406", ["1.8406"], None),
    "Notebook: three samples, good predictions (0.3018)": ("0.3018", None, "0.3018"),
    "Notebook: three samples, bad predictions (1.6242)": ("1.6242", None, "1.6242"),
    "Notebook: from probabilities [0.7, 0.2, 0.1] and [0.1, 0.3, 0.6] (0.3567, 2.3026)": (
        "1.3296",
        ["0.3567", "2.3026"],
        None,
    ),
    "Walkthrough: reference answer 0.71355817782": ("0.7136", None, "0.71355817782"),
    "Walkthrough: binary, prediction [0.01, 0.99] (0.01005034)": (
        "0.0101",
        ["0.01005034"],
        "0.01005034",
    ),
}


def test_every_preset_has_its_seed_numbers():
    assert set(PRESET_SEEDS) == set(PRESETS)


@pytest.mark.parametrize("name", list(PRESET_SEEDS))
def test_loading_a_preset_shows_its_seed_numbers(name):
    shown, per_sample, mean = PRESET_SEEDS[name]
    at = open_playground()
    open_presets(at).selectbox(key="preset_choice").set_value(name)
    click_button(at, "Load preset")
    assert headline(at)[1] == f"{shown} nats"
    assert at.session_state["scenario"] == PRESETS[name]  # read back from the editors unchanged
    assert PRESETS[name].title in [unescape(c.value) for c in at.caption]
    losses = probabilities(at)["loss"].to_numpy()
    if per_sample is not None:
        assert [printed_like(v, p) for v, p in zip(losses, per_sample, strict=True)] == per_sample
    if mean is not None:
        assert printed_like(float(losses.mean()), mean) == mean


def _load_random(at, seed: int):
    open_presets(at).number_input(key="random_seed").set_value(seed)
    return click_button(at, "Random")


def test_random_logits_are_reproducible_from_the_seed():
    first = _load_random(open_playground(), 7)
    second = _load_random(open_playground(), 7)
    expected = random_scenario(4, 3, 7, 2.0)
    assert first.session_state["scenario"] == expected == second.session_state["scenario"]
    assert headline(first) == headline(second)
    assert editor_table(first, "logits").equals(editor_table(second, "logits"))
    other = _load_random(open_playground(), 8).session_state["scenario"]
    assert other.logits != expected.logits


@pytest.mark.parametrize("elsewhere", ["pages/help/about.py", "pages/learn/step_by_step.py"])
def test_edits_and_options_survive_a_visit_to_another_page(elsewhere):
    # Streamlit forgets the state of widgets a run does not draw: without care, coming back
    # showed a temperature of 0.05 (mean 20.0000) and the editors without what was typed.
    at = open_playground()
    edit_table(at, "logits", cell_edit(0, "c1", "5"))
    at.session_state["opt_temperature"] = 2.0
    at.run()
    before = headline(at)
    at.switch_page(elsewhere).run()
    at.switch_page("pages/explore/playground.py").run()
    assert_no_exception(at)
    assert headline(at) == before
    assert editor_table(at, "logits").iloc[0, :3].tolist() == ["1", "5", "3"]
    assert at.session_state["scenario"].temperature == 2.0
    at.run()  # and it stays so
    assert headline(at) == before


def test_the_seed_softmax_shows_in_the_digits_pytorch_prints():
    # /work/shared/seeds/001: logits [4, 3, 2, 10], target 3, loss 0.0037.
    at = open_playground()
    open_presets(at).selectbox(key="preset_choice").set_value(
        "PyTorch explainer: confident and right (0.0037)"
    )
    click_button(at, "Load preset")
    printed_block = next(
        c.value for c in open_torch_code(at).code if c.value.startswith("tensor([")
    )
    assert printed_block == (
        "tensor([0.0037])\ntensor([[2.4696e-03, 9.0850e-04, 3.3422e-04, 9.9629e-01]])"
    )
    assert headline(at) == ("Mean loss (reduction: none)", "0.0037 nats")


def test_the_loss_shows_in_the_sidebar_s_unit_with_perplexity_and_ln_c():
    at = open_playground()
    at.segmented_control(key="unit").set_value("bits").run()
    assert_no_exception(at)
    assert headline(at) == ("Mean loss", "1.8398 bits")
    perplexity = next(m for m in at.metric if m.label == "Perplexity")
    assert (perplexity.value, perplexity.proto.help) == (
        "3.58",
        "Perplexity e^CE of the mean loss 1.2753 nats = 1.8398 bits: as unsure as 3.58 "
        "equally likely classes — the effective number of classes. A uniform guess over 3 "
        "classes scores ln 3 = 1.0986 nats = 1.5850 bits.",
    )
    uniform = figure_traces(at)["curve"][2]
    assert list(uniform["y"]) == [pytest.approx(np.log(3))] * 2


def test_every_sample_ignored_shows_pytorch_s_nan_and_why_not_a_refusal():
    at = open_playground()
    edit_table(at, "logits", edit_state(edited={0: {"ignore": True}, 1: {"ignore": True}}))
    assert alerts(at, "error") == []
    assert headline(at) == ("Mean loss", "NaN nats")
    assert arithmetic(at) == "(0) / 0 = NaN"
    assert alerts(at, "info") == [
        "Every sample is ignored, so the mean divides 0 by 0: PyTorch returns nan for reduction "
        "'mean', 0.0000 for 'sum' and 0 for every sample with 'none'."
    ]
    assert markdown_starting(at, TORCH_PREFIX).endswith("**NaN** — the same.")
    at.segmented_control(key="opt_reduction").set_value("sum").run()
    assert headline(at) == ("Summed loss", "0.0000 nats")
    at.segmented_control(key="opt_reduction").set_value("none").run()
    assert markdown_starting(at, TORCH_PREFIX).endswith(
        "the vector **[0.0000, 0.0000]** — the same as the loss column (0 for an ignored sample)."
    )
