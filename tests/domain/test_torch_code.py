"""torch_code: the generated script, run by PyTorch, computes the loss xentcore computes."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from app_helpers import scenarios, xentcore_loss
from hypothesis import HealthCheck, given, settings

from xentui.domain.limits import IGNORE_INDEX
from xentui.domain.presets import DEFAULT_SCENARIO, PRESETS
from xentui.domain.results import torch_check
from xentui.domain.scenario import Scenario
from xentui.domain.torch_code import torch_code

# Bounded: every example runs a generated script through PyTorch.
PROPERTY_SETTINGS = settings(
    max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
SEED_001 = "PyTorch explainer: confident and right (0.0037)"
TOLERANCE = {"float32": {"rtol": 1e-5, "atol": 1e-5}, "float64": {"rtol": 1e-12, "atol": 1e-12}}


def run_script(code: str) -> dict[str, object]:
    """Execute the generated script; its `print` is silenced and its variables returned."""
    namespace: dict[str, object] = {"print": lambda *args: None}
    exec(compile(code, "<torch_code>", "exec"), namespace)
    return namespace


def assert_script_matches_xentcore(scenario: Scenario) -> None:
    loss = run_script(torch_code(scenario))["loss"]
    assert isinstance(loss, torch.Tensor)
    assert loss.dtype == getattr(torch, scenario.precision)
    np.testing.assert_allclose(
        loss.numpy(), xentcore_loss(scenario, scenario.reduction), **TOLERANCE[scenario.precision]
    )


SCENARIOS = {
    "default": DEFAULT_SCENARIO,
    "class weights": DEFAULT_SCENARIO.with_options(weights=(2.0, 1.0, 0.5)),
    "ignored sample": DEFAULT_SCENARIO.with_options(ignored=(True, False)),
    "weights and ignore": DEFAULT_SCENARIO.with_options(
        weights=(2.0, 1.0, 0.5), ignored=(False, True)
    ),
    "label smoothing": DEFAULT_SCENARIO.with_options(label_smoothing=0.25),
    "temperature": DEFAULT_SCENARIO.with_options(temperature=0.3),
    "sum": DEFAULT_SCENARIO.with_options(reduction="sum"),
    "none": DEFAULT_SCENARIO.with_options(reduction="none"),
    "float64": DEFAULT_SCENARIO.with_options(precision="float64"),
    "soft targets": DEFAULT_SCENARIO.with_options(
        soft_targets=((0.5, 0.5, 0.0), (0.1, 0.2, 0.7)), weights=(2.0, 1.0, 0.5)
    ),
    "everything": DEFAULT_SCENARIO.with_options(
        weights=(0.5, 3.0, 1.0),
        ignored=(False, True),
        label_smoothing=0.1,
        temperature=2.5,
        precision="float64",
        reduction="sum",
    ),
    "markup in class names": DEFAULT_SCENARIO.with_options(
        classes=("**b**", "it's", '<script>"x"</script>')
    ),
    **PRESETS,
}


@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=list(SCENARIOS))
def test_the_script_computes_the_loss_xentcore_computes(scenario):
    assert_script_matches_xentcore(scenario)


@PROPERTY_SETTINGS
@given(scenarios(max_samples=4, max_classes=4))
def test_the_script_matches_xentcore_for_any_scenario(scenario):
    assert_script_matches_xentcore(scenario)


def test_the_script_names_the_classes_and_marks_ignored_samples():
    namespace = run_script(torch_code(SCENARIOS["ignored sample"]))
    assert namespace["classes"] == ["cat", "dog", "pig"]
    assert namespace["target"].tolist() == [IGNORE_INDEX, 2]
    assert "# -100 = ignored sample" in torch_code(SCENARIOS["ignored sample"])


def test_the_script_prints_what_the_playground_says_it_prints():
    for scenario in (SCENARIOS["none"], SCENARIOS["float64"], PRESETS[SEED_001]):
        lines: list[str] = []
        namespace = {"print": lambda value, lines=lines: lines.append(str(value))}
        exec(compile(torch_code(scenario), "<torch_code>", "exec"), namespace)
        check = torch_check(scenario)
        assert lines == [check.printed_loss, check.printed_probabilities]
    # /work/shared/seeds/001: softmax of [4, 3, 2, 10] as PyTorch prints it.
    assert lines[1] == "tensor([[2.4696e-03, 9.0850e-04, 3.3422e-04, 9.9629e-01]])"


def test_options_left_at_their_defaults_are_left_out():
    code = torch_code(DEFAULT_SCENARIO)
    assert "loss = F.cross_entropy(logits, target, reduction='mean')" in code
    for option in ("weight", "ignore_index", "label_smoothing", "logits /"):
        assert option not in code.split("loss = ")[1]
