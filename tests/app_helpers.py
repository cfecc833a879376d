"""Shared by the app's tests: driving the Playground through AppTest, bad links, scenarios.

st.data_editor cannot be driven with set_value(); the browser's edit state
({edited_rows, added_rows, deleted_rows}) is written to session state under the editor's current
key instead, which is what the frontend sends after the same edits.
"""

from __future__ import annotations

import base64
import json
import re
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import assume
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

import xentcore
from xentui.domain.limits import (
    IGNORE_INDEX,
    LOGIT_LIMIT,
    PRECISIONS,
    REDUCTIONS,
    TEMPERATURE_RANGE,
)
from xentui.domain.presets import PRESETS
from xentui.domain.scenario import Scenario
from xentui.domain.share_link import MAX_LINK_CHARS, encode

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
DEFAULT_LOSS = "1.2753"


def open_playground(link: str | None = None) -> AppTest:
    """A fresh session of the app (the Playground is its default page), run once."""
    at = AppTest.from_file(APP, default_timeout=60)
    if link is not None:
        at.query_params["s"] = link
    at.run()
    assert_no_exception(at)
    return at


def assert_no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def editor_key(at: AppTest, table: str) -> str:
    """The current key of the "classes", "logits" or "soft" editor (it changes with its shape)."""
    return f"{table}_editor_{at.session_state[f'{table}_version']}"


def edit_state(
    edited: dict[int, dict[str, object]] | None = None,
    added: list[dict[str, object]] | None = None,
    deleted: list[int] | None = None,
) -> dict[str, object]:
    return {"edited_rows": edited or {}, "added_rows": added or [], "deleted_rows": deleted or []}


def cell_edit(row: int, column: str, text: object) -> dict[str, object]:
    """The edit state of one typed cell."""
    return edit_state(edited={row: {column: text}})


def new_sample(*logits: str | None, target: str | None) -> dict[str, object]:
    """An added row as the browser sends it: the typed cells (None: left empty), ignore False."""
    cells = {f"c{c}": text for c, text in enumerate(logits) if text is not None}
    return {**cells, "target": target, "ignore": False}


def edit_table(at: AppTest, table: str, state: dict[str, object]) -> AppTest:
    """Give `table`'s editor the whole edit state `state` (as after those edits), then rerun."""
    at.session_state[editor_key(at, table)] = state
    at.run()
    assert_no_exception(at)
    return at


def unescape(markdown: str) -> str:
    """Markdown text as the reader sees it: backslash escapes removed."""
    return re.sub(r"\\(.)", r"\1", markdown)


def printed(values: object, decimals: int = 4) -> list:
    """Numbers as the seed documents print them: "0.0900" (nested lists keep their shape)."""
    return np.vectorize(lambda v: f"{v:.{decimals}f}")(np.asarray(values, dtype=float)).tolist()


def headline(at: AppTest) -> tuple[str, str]:
    """(label, value) of the loss metric."""
    return at.metric[0].label, at.metric[0].value


def alerts(at: AppTest, kind: str = "error") -> list[str]:
    """The text of every st.error / st.warning / st.info, escapes removed."""
    return [unescape(element.value) for element in getattr(at, kind)]


def markdown_starting(at: AppTest, prefix: str) -> str:
    """The one Markdown block that starts with `prefix` (as written, escapes included)."""
    found = [m.value for m in at.markdown if m.value.startswith(prefix)]
    assert len(found) == 1, (prefix, [m.value[:60] for m in at.markdown])
    return found[0]


def arithmetic(at: AppTest) -> str:
    """The reduction written out, e.g. "(2.4076 + 0.1429) / 2 = 1.2753"."""
    text = next(m.value for m in at.markdown if m.value.startswith(("**Mean:**", "**Sum:**")))
    return text.split(":** ", 1)[1]


def torch_script(at: AppTest) -> str:
    """The PyTorch code block under "PyTorch agrees" (open it first: `open_torch_code`)."""
    return next(c.value for c in at.code if c.value.startswith("import torch"))


def table_with_column(at: AppTest, column: str) -> pd.DataFrame:
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    return found[0]


def probabilities(at: AppTest) -> pd.DataFrame:
    """The softmax table: a column per class (named as shown), then target, prediction, right?,
    loss. The page keys the class columns "p0", "p1", … and labels them with the names."""
    frame = table_with_column(at, "prediction")
    classes = at.session_state["scenario"].classes
    return frame.rename(columns={f"p{c}": name for c, name in enumerate(classes)})


def editor_table(at: AppTest, table: str) -> pd.DataFrame:
    """The table an editor was created with (its base), without pending edits."""
    key = editor_key(at, table)
    return next(d.value for d in at.dataframe if d.key == key)


def _plotly_array(value: object) -> object:
    """Plotly's JSON packs numeric arrays as {"dtype", "bdata"(base64), "shape"}; unpack them."""
    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        if "shape" in value:
            array = array.reshape([int(n) for n in str(value["shape"]).split(",")])
        return array
    return value


def figure_traces(at: AppTest) -> dict[str, list[dict[str, object]]]:
    """The traces of the two figures: {"matrix": [faded, diagonal], "curve": [line, points]}."""
    figures = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    unpacked = [
        [{k: _plotly_array(v) for k, v in trace.items()} for trace in figure["data"]]
        for figure in figures
    ]
    matrix = [f for f in unpacked if f[0]["type"] == "heatmap"]
    curve = [f for f in unpacked if f[0]["type"] == "scatter"]
    assert len(matrix) == len(curve) == 1
    return {"matrix": matrix[0], "curve": curve[0]}


def open_expander(at: AppTest, key: str) -> AppTest:
    """Open a lazily drawn expander (its content is drawn while it is open), then rerun."""
    at.session_state[key] = True
    at.run()
    assert_no_exception(at)
    return at


def open_presets(at: AppTest) -> AppTest:
    """Open the Playground's "Presets and random logits" expander."""
    return open_expander(at, "presets_open")


def open_torch_code(at: AppTest) -> AppTest:
    """Open the Playground's expander of PyTorch's code and what it prints."""
    return open_expander(at, "torch_code_open")


def click_button(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click()
    at.run()
    assert_no_exception(at)
    return at


def link_token(payload: object = None, *, raw: bytes | None = None, version: str = "1") -> str:
    """A link value built by hand: `payload` (or raw bytes) as zlib-compressed, base64 JSON."""
    data = raw if raw is not None else json.dumps(payload).encode()
    body = base64.urlsafe_b64encode(zlib.compress(data)).rstrip(b"=").decode("ascii")
    return f"{version}.{body}"


def _tampered(token: str) -> str:
    middle = len(token) // 2
    return token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]


EDITED = encode(PRESETS["Notebook: three samples, bad predictions (1.6242)"])
TWO_CLASSES = {"c": ["a", "b"], "z": [[1, 2]], "t": [0]}

# (what is wrong, the link's value, the reason LinkError and the page's warning give)
BAD_LINKS = [
    ("tampered", _tampered(EDITED), "the link is damaged: its scenario could not be read"),
    ("truncated", EDITED[:-8], "the link is cut short: part of the scenario is missing"),
    (
        "oversized",
        "1." + "A" * MAX_LINK_CHARS,
        f"the link's scenario is {MAX_LINK_CHARS + 2:,} characters long; at most "
        f"{MAX_LINK_CHARS:,} are accepted",
    ),
    (
        "unknown version",
        "9." + EDITED.partition(".")[2],
        "the link was made by a different version of xent (link format 9; this version reads "
        "format 1)",
    ),
    (
        "no version",
        "abc",
        "the link's scenario has no version prefix (expected something like '1.…')",
    ),
    ("not base64", "1.@@@!!!", "the link is damaged: its scenario could not be read"),
    (
        "base64 but not zlib",
        "1.aGVsbG8gd29ybGQ",
        "the link is damaged: its scenario could not be read",
    ),
    (
        "garbage JSON",
        link_token(raw=b"{not json"),
        "the link is damaged: its scenario could not be read",
    ),
    ("JSON list", link_token([1, 2]), "the link's scenario is not in the expected form"),
    (
        "too large once unpacked",
        link_token(raw=b"[" + b" " * 300_000 + b"]"),
        "the link's scenario is too large once unpacked",
    ),
    (
        "target out of range",
        link_token({**TWO_CLASSES, "t": [5]}),
        "Row 1, column “target”: expected a class (its name, or its index from 0 to 1); got 5",
    ),
    (
        "NaN logit",
        link_token(raw=b'{"c":["a","b"],"z":[[NaN,2]],"t":[0]}'),
        "Row 1, column “a”: expected a finite number within ±1e+06; got nan",
    ),
    (
        "one class",
        link_token({**TWO_CLASSES, "c": ["a"], "z": [[1]]}),
        "Expected 2 to 32 classes; got 1 class",
    ),
    (
        "duplicate classes",
        link_token({**TWO_CLASSES, "c": ["a", "a"]}),
        "Row 2, column “name”: expected a different name; got “a” a second time",
    ),
    (
        "no samples",
        link_token({**TWO_CLASSES, "z": [], "t": []}),
        "Logits: expected 1 to 64 samples; got 0 rows",
    ),
    (
        "short logit row",
        link_token({**TWO_CLASSES, "z": [[1]]}),
        "Row 1: expected one value per class (2); got 1 value",
    ),
    (
        "huge logit",
        link_token({**TWO_CLASSES, "z": [[1e7, 0]]}),
        "Row 1, column “a”: expected a finite number within ±1e+06; got 1e+07",
    ),
    (
        "text logit",
        link_token({**TWO_CLASSES, "z": [["one", 0]]}),
        "Row 1, column “a”: expected a finite number within ±1e+06; got “one”",
    ),
    (
        "ignored sample out of range",
        link_token({**TWO_CLASSES, "i": [3]}),
        "Column “ignore”: expected sample numbers from 0 to 0; got a list of 1 item",
    ),
    (
        "probability above 1",
        link_token({**TWO_CLASSES, "q": [[1.5, 0]]}),
        "Row 1, column “a”: expected a probability in [0, 1]; got 1.5",
    ),
    (
        "probabilities not summing to 1",
        link_token({**TWO_CLASSES, "q": [[0.2, 0.2]]}),
        "Row 1: expected a row summing to 1 (within 0.001); got a row summing to 0.4",
    ),
    *[
        (
            name,
            link_token({**TWO_CLASSES, "w": weights}),
            "Column “weight”: expected a kept sample whose target class weighs more than 0; got "
            "weight 0 on every kept sample's target class",
        )
        for name, weights in (
            ("every kept target weighs 0", [0, 1]),
            ("kept target weighs 0 in float32", [1e-50, 1]),
        )
    ],
    (
        "all weights 0",
        link_token({**TWO_CLASSES, "w": [0, 0], "q": [[0.5, 0.5]]}),
        "Column “weight”: expected at least one positive weight; got every weight 0",
    ),
    (
        "negative weight",
        link_token({**TWO_CLASSES, "w": [-1, 1]}),
        "Row 1, column “weight”: expected a weight from 0 to 1e+06; got -1",
    ),
    (
        "huge weight",
        link_token({**TWO_CLASSES, "w": [1e9, 1]}),
        "Row 1, column “weight”: expected a weight from 0 to 1e+06; got 1e+09",
    ),
    (
        "unknown reduction",
        link_token({**TWO_CLASSES, "r": "avg"}),
        "Reduction: expected one of mean, sum, none; got “avg”",
    ),
    (
        "smoothing above 1",
        link_token({**TWO_CLASSES, "s": 2}),
        "Label smoothing: expected a number in [0, 1]; got 2",
    ),
    (
        "temperature 0",
        link_token({**TWO_CLASSES, "T": 0}),
        "Temperature: expected a number in [0.05, 20]; got 0",
    ),
    (
        "unknown precision",
        link_token({**TWO_CLASSES, "p": "float16"}),
        "Precision: expected one of float32, float64; got “float16”",
    ),
]


# ------------------------------------------------------------------ scenarios for property tests

# Names as the classes editor keeps them: non-empty, no surrounding blanks, at most 40 characters,
# no control characters or lone surrogates (which no door lets in).
class_names = st.text(
    st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=40
).filter(lambda name: name == name.strip() != "")


@st.composite
def scenarios(draw: st.DrawFn, max_samples: int = 5, max_classes: int = 5) -> Scenario:
    """Any valid scenario: what a link may hold and the editors may produce."""
    c = draw(st.integers(2, max_classes))
    n = draw(st.integers(1, max_samples))

    def per_sample(row: st.SearchStrategy) -> st.SearchStrategy[list]:
        return st.lists(row, min_size=n, max_size=n)

    def per_class(value: st.SearchStrategy) -> st.SearchStrategy[list]:
        return st.lists(value, min_size=c, max_size=c)

    probability = st.floats(0, 1)
    # Weights of 1e-300 make a mean of (large) / (tiny): xentcore's overflow, not the app's.
    weights = st.just(0.0) | st.floats(1e-6, 1e6)
    # A probability row sums to 1 (within the editor's tolerance): normalise any non-zero row.
    distribution = per_class(probability).filter(any).map(lambda row: [p / sum(row) for p in row])
    soft_targets = draw(st.none() | per_sample(distribution))
    # PyTorch ignores class-index targets only: probability targets leave no sample out.
    flags = st.booleans() if soft_targets is None else st.just(False)
    scenario = Scenario(
        classes=draw(st.lists(class_names, min_size=c, max_size=c, unique=True)),
        logits=draw(per_sample(per_class(st.floats(-LOGIT_LIMIT, LOGIT_LIMIT)))),
        targets=draw(per_sample(st.integers(0, c - 1))),
        ignored=draw(per_sample(flags)),
        soft_targets=soft_targets,
        weights=draw(st.none() | per_class(weights)),
        reduction=draw(st.sampled_from(REDUCTIONS)),
        label_smoothing=draw(probability),
        temperature=draw(st.floats(*TEMPERATURE_RANGE)),
        precision=draw(st.sampled_from(PRECISIONS)),
    )
    assume(has_a_mean(scenario))
    return scenario


def has_a_mean(scenario: Scenario) -> bool:
    """The weights are not all 0 and the mean's denominator (Σ w[target] kept, or N) is not 0."""
    if scenario.weights is not None and sum(scenario.weights) == 0:
        return False
    if scenario.soft_targets is not None:
        return True
    # In the scenario's dtype, as the loss sees them: a weight of 1e-50 is 0 in float32.
    weight = np.asarray(scenario.weights or (1.0,) * scenario.num_classes, scenario.dtype)
    kept = [t for t, skip in zip(scenario.targets, scenario.ignored, strict=True) if not skip]
    return bool(weight[kept].sum() > 0)


def xentcore_loss(scenario: Scenario, reduction: str) -> np.ndarray:
    """A scenario's loss straight from xentcore, its arguments written out independently of the
    app's own `loss_arguments` (which the tests check against this)."""
    dtype = scenario.dtype
    x = np.asarray(scenario.logits, dtype=np.float64).astype(dtype) / dtype.type(
        scenario.temperature
    )
    if scenario.soft_targets is not None:
        target = np.asarray(scenario.soft_targets, dtype=dtype)
    else:
        target = np.where(scenario.ignored, IGNORE_INDEX, scenario.targets)
    weight = None if scenario.weights is None else np.asarray(scenario.weights, dtype=dtype)
    return xentcore.cross_entropy(
        x,
        target,
        weight=weight,
        ignore_index=IGNORE_INDEX,
        reduction=reduction,
        label_smoothing=scenario.label_smoothing,
    )
