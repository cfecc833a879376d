"""Random sequences of edits, applied to the Playground and to a plain model of its tables.

Each step edits the page the way a browser does (the editor's whole edit state under its current
key, see app_helpers) and the model — lists of class rows, sample rows and probability rows — the
way a person expects the tables to change. After every step the page must show what the model
holds: each editor's table (its base plus the pending edits), and the scenario the one check
(`check_scenario`) makes of the model's tables when they are valid, or its problems beside the
editors and the last valid scenario when they are not.

Class names and weights stay valid here (a bad name holds the samples tables back, a rule of its
own tested in test_page.py), so a class change always reaches the samples tables at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app_helpers import alerts, assert_no_exception, editor_key, new_sample, open_playground
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from xentui.domain.limits import MAX_CLASSES, MAX_SAMPLES
from xentui.domain.presets import DEFAULT_SCENARIO
from xentui.domain.validation import check_scenario
from xentui.playground import editor

LOGIT_TEXTS = st.sampled_from(["0", "1", "-2.5", "3", "abc", ""])
WEIGHT_TEXTS = st.sampled_from(["1", "2", "0.5", ""])  # valid: empty means 1
PROBABILITY_TEXTS = st.sampled_from(["0", "1", "0.5", "x"])
NAMES = [f"k{i}" for i in range(40)]
REFUSAL = "beyond the"  # the words of a message about rows left out


@dataclass
class Pending:
    """An editor's edit state as the browser builds it, relative to the editor's base table."""

    base_rows: int
    edited: dict[int, dict[str, object]] = field(default_factory=dict)
    added: list[dict[str, object]] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)

    def rows(self) -> list[tuple[str, int]]:
        """The table's rows as shown: ("base", position) or ("added", index)."""
        kept = [("base", r) for r in range(self.base_rows) if r not in self.deleted]
        return kept + [("added", i) for i in range(len(self.added))]

    def edit(self, row: int, column: str, value: object) -> None:
        kind, at = self.rows()[row]
        if kind == "base":
            self.edited.setdefault(at, {})[column] = value
        else:
            self.added[at][column] = value

    def delete(self, row: int) -> None:
        kind, at = self.rows()[row]
        if kind == "base":
            self.deleted.append(at)
        else:  # the browser forgets an added row it deletes
            del self.added[at]

    def state(self) -> dict[str, object]:
        return {"edited_rows": self.edited, "added_rows": self.added, "deleted_rows": self.deleted}


def one_hot(target: object, names: list[str]) -> list[str]:
    hot = names.index(target) if target in names else 0
    return ["1" if c == hot else "0" for c in range(len(names))]


class PlaygroundMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.at = open_playground()
        # The model: [name, weight text]; {"logits": {name: text}, "target", "ignore"}; rows.
        self.classes = [[name, "1"] for name in DEFAULT_SCENARIO.classes]
        self.samples = [
            {
                "logits": dict(zip(DEFAULT_SCENARIO.classes, row, strict=True)),
                "target": t,
                "ignore": i,
            }
            for row, t, i in zip(
                editor.logits_frame(DEFAULT_SCENARIO).iloc[:, :3].to_numpy().tolist(),
                [DEFAULT_SCENARIO.classes[t] for t in DEFAULT_SCENARIO.targets],
                DEFAULT_SCENARIO.ignored,
                strict=True,
            )
        ]
        self.soft: list[list[str]] | None = None
        self.last_valid = DEFAULT_SCENARIO
        self.pending: dict[str, tuple[str, Pending]] = {}
        self.refused: str | None = None

    # ------------------------------------------------------------------ driving the page

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.classes]

    def _editor(self, table: str) -> Pending:
        """The pending edits of `table`'s editor; fresh when the page recreated the editor."""
        key = editor_key(self.at, table)
        if table not in self.pending or self.pending[table][0] != key:
            rows = len(self.at.session_state[f"{table}_base"])
            self.pending[table] = (key, Pending(rows))
        return self.pending[table][1]

    def _send(self, table: str) -> None:
        self.at.session_state[editor_key(self.at, table)] = self._editor(table).state()
        self._run()

    def _run(self) -> None:
        self.refused = None
        self.at.run()
        assert_no_exception(self.at)

    # ------------------------------------------------------------------ classes

    @precondition(lambda self: len(self.classes) < MAX_CLASSES)
    @rule(data=st.data(), weight=WEIGHT_TEXTS)
    def add_class(self, data, weight):
        name = data.draw(st.sampled_from([n for n in NAMES if n not in self.names]))
        self._editor("classes").added.append({"name": name, "weight": weight})
        self._send("classes")
        self.classes.append([name, weight])
        for sample in self.samples:
            sample["logits"][name] = "0"
        for row in self.soft or []:
            row.append("0")

    @precondition(lambda self: len(self.classes) > 2)
    @rule(data=st.data())
    def remove_class(self, data):
        c = data.draw(st.integers(0, len(self.classes) - 1))
        self._editor("classes").delete(c)
        self._send("classes")
        name, _ = self.classes.pop(c)
        for sample in self.samples:
            del sample["logits"][name]
            sample["target"] = None if sample["target"] == name else sample["target"]
        for row in self.soft or []:
            del row[c]

    @rule(data=st.data())
    def rename_class(self, data):
        c = data.draw(st.integers(0, len(self.classes) - 1))
        new = data.draw(st.sampled_from([n for n in NAMES if n not in self.names]))
        self._editor("classes").edit(c, editor.NAME_COLUMN, new)
        self._send("classes")
        old = self.classes[c][0]
        self.classes[c][0] = new
        for sample in self.samples:
            sample["logits"][new] = sample["logits"].pop(old)
            sample["target"] = new if sample["target"] == old else sample["target"]

    @rule(data=st.data(), weight=WEIGHT_TEXTS)
    def set_weight(self, data, weight):
        c = data.draw(st.integers(0, len(self.classes) - 1))
        self._editor("classes").edit(c, editor.WEIGHT_COLUMN, weight)
        self._send("classes")
        self.classes[c][1] = weight

    # ------------------------------------------------------------------ samples

    def _add_samples(self, rows: list[tuple[list[str], str | None]]) -> None:
        pending = self._editor("logits")
        pending.added.extend(new_sample(*logits, target=target) for logits, target in rows)
        self._send("logits")
        room = MAX_SAMPLES - len(self.samples)
        for logits, target in rows[:room]:
            sample = {"logits": dict(zip(self.names, logits, strict=True)), "target": target}
            self.samples.append({**sample, "ignore": False})
            if self.soft is not None:
                self.soft.append(one_hot(target, self.names))
        if len(rows) > room:  # counted among every new row of the editor, typed or pasted
            left_out = len(rows) - room
            kept = len(pending.added) - left_out
            self.refused = editor.rows_beyond_limit_message(left_out, kept, MAX_SAMPLES, "sample")

    @precondition(lambda self: len(self.samples) < MAX_SAMPLES)
    @rule(data=st.data())
    def add_sample(self, data):
        logits = data.draw(
            st.lists(LOGIT_TEXTS, min_size=len(self.classes), max_size=len(self.classes))
        )
        target = data.draw(st.sampled_from([*self.names, None]))
        self._add_samples([(logits, target)])

    @rule(extra=st.integers(1, 40))
    def paste_too_many_samples(self, extra):
        count = MAX_SAMPLES - len(self.samples) + extra
        self._add_samples([([str(i)] * len(self.classes), self.names[0]) for i in range(count)])

    @precondition(lambda self: self.samples)
    @rule(data=st.data())
    def delete_sample(self, data):
        i = data.draw(st.integers(0, len(self.samples) - 1))
        self._editor("logits").delete(i)
        self._send("logits")
        del self.samples[i]
        if self.soft is not None:
            del self.soft[i]

    @precondition(lambda self: self.samples)
    @rule(data=st.data(), text=LOGIT_TEXTS)
    def edit_logit(self, data, text):
        i = data.draw(st.integers(0, len(self.samples) - 1))
        c = data.draw(st.integers(0, len(self.classes) - 1))
        self._editor("logits").edit(i, editor.class_column(c), text)
        self._send("logits")
        self.samples[i]["logits"][self.names[c]] = text

    @precondition(lambda self: self.samples and self.soft is None)
    @rule(data=st.data())
    def set_target(self, data):
        i = data.draw(st.integers(0, len(self.samples) - 1))
        target = data.draw(st.sampled_from([*self.names, None]))
        self._editor("logits").edit(i, editor.TARGET_COLUMN, target)
        self._send("logits")
        self.samples[i]["target"] = target

    @precondition(lambda self: self.samples and self.soft is None)
    @rule(data=st.data())
    def toggle_ignore(self, data):
        i = data.draw(st.integers(0, len(self.samples) - 1))
        flag = not self.samples[i]["ignore"]
        self._editor("logits").edit(i, editor.IGNORE_COLUMN, flag)
        self._send("logits")
        self.samples[i]["ignore"] = flag

    # ------------------------------------------------------------------ probability targets

    @rule()
    def toggle_probability_targets(self):
        switched_on = self.soft is None
        self.at.toggle(key="opt_soft").set_value(switched_on)
        self._run()
        # Switched on, every sample starts one-hot on its target (the first class without one).
        self.soft = (
            [one_hot(s["target"], self.names) for s in self.samples] if switched_on else None
        )

    @precondition(lambda self: self.soft)
    @rule(data=st.data(), text=PROBABILITY_TEXTS)
    def edit_probability(self, data, text):
        i = data.draw(st.integers(0, len(self.soft) - 1))
        c = data.draw(st.integers(0, len(self.classes) - 1))
        self._editor("soft").edit(i, editor.class_column(c), text)
        self._send("soft")
        self.soft[i][c] = text

    # ------------------------------------------------------------------ what the page shows

    def _shown(self, table: str) -> list[list[object]]:
        base = self.at.session_state[f"{table}_base"]
        key = editor_key(self.at, table)
        state = self.at.session_state[key] if key in self.at.session_state else None  # noqa: SIM401 (AppTest state has no get)
        rows = editor.apply_edits(base, state).to_numpy().tolist()
        return [[None if cell != cell else cell for cell in row] for row in rows]  # NaN: empty

    def _draft(self) -> dict[str, object]:
        weights = [1.0 if w == "" else w for _, w in self.classes]
        draft = {
            "classes": self.names,
            "weights": None if all(w in (1.0, "1") for w in weights) else weights,
            "logits": [[s["logits"][n] for n in self.names] for s in self.samples],
            "targets": [s["target"] for s in self.samples],
            "ignored": [s["ignore"] for s in self.samples],
            **{f: getattr(DEFAULT_SCENARIO, f) for f in ("reduction", "precision", "title")},
            "label_smoothing": DEFAULT_SCENARIO.label_smoothing,
            "temperature": DEFAULT_SCENARIO.temperature,
        }
        if self.soft is not None:
            draft["soft_targets"] = self.soft
            draft["ignored"] = []
        return draft

    @invariant()
    def the_page_shows_the_model(self):
        assert self._shown("classes") == self.classes
        assert self._shown("logits") == [
            [*(s["logits"][n] for n in self.names), s["target"], s["ignore"]] for s in self.samples
        ]
        assert self.at.session_state["opt_soft"] == (self.soft is not None)
        if self.soft is not None:
            assert self._shown("soft") == self.soft
        checked = check_scenario(self._draft())
        errors = alerts(self.at)
        refusals = [e for e in errors if REFUSAL in e]
        if self.refused is not None:
            assert refusals == [self.refused]
        assert sorted(e for e in errors if REFUSAL not in e) == sorted(map(str, checked.problems))
        if checked.scenario is not None:
            self.last_valid = checked.scenario
        assert self.at.session_state["scenario"] == self.last_valid


PlaygroundMachine.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=8,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_playground_follows_random_edits = PlaygroundMachine.TestCase
