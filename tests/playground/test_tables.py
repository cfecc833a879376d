"""tables: the probabilities table, one sample's breakdown and every sentence beside the tables."""

from __future__ import annotations

import numpy as np
import pytest
from app_helpers import printed

from xentui.domain.presets import DEFAULT_SCENARIO, PRESETS
from xentui.domain.results import analyse, torch_check
from xentui.domain.scenario import Scenario
from xentui.playground.tables import (
    TERM,
    WEIGHTED_TERM,
    breakdown_frame,
    breakdown_line,
    likelihood_lines,
    matrix_note,
    nan_note,
    per_sample_line,
    perplexity_metric,
    probabilities_frame,
    sample_names,
    terms_note,
    torch_line,
)

IGNORING_FIRST = DEFAULT_SCENARIO.with_options(ignored=(True, False))


def test_the_probabilities_table_of_the_default_scenario():
    frame = probabilities_frame(DEFAULT_SCENARIO, analyse(DEFAULT_SCENARIO))
    assert list(frame.columns) == ["p0", "p1", "p2", "target", "prediction", "right?", "loss"]
    assert list(frame.index) == ["sample 1", "sample 2"]
    assert printed(frame[["p0", "p1", "p2"]]) == [
        ["0.0900", "0.2447", "0.6652"],
        ["0.0159", "0.1173", "0.8668"],
    ]
    assert frame[["target", "prediction", "right?"]].to_numpy().tolist() == [
        ["cat", "pig", "✗ wrong"],
        ["pig", "pig", "✓ right"],
    ]
    assert printed(frame["loss"]) == ["2.4076", "0.1429"]


def test_an_ignored_sample_has_no_loss_in_the_table():
    frame = probabilities_frame(IGNORING_FIRST, analyse(IGNORING_FIRST))
    assert frame["loss"].iloc[0] is None or np.isnan(frame["loss"].iloc[0])
    assert printed(frame["loss"].iloc[1:]) == ["0.1429"]


WEIGHTED = DEFAULT_SCENARIO.with_options(weights=(2.0, 1.0, 1.0))
BREAKDOWNS = {
    "plain": DEFAULT_SCENARIO,
    "smoothing": DEFAULT_SCENARIO.with_options(label_smoothing=0.2),
    "weights": WEIGHTED,
    "weights and smoothing": WEIGHTED.with_options(label_smoothing=0.1),
    "probability targets, weights, smoothing": WEIGHTED.with_options(
        soft_targets=((0.5, 0.5, 0.0), (0.0, 0.2, 0.8)), label_smoothing=0.1
    ),
    "float64, temperature": WEIGHTED.with_options(precision="float64", temperature=0.3),
}


@pytest.mark.parametrize("scenario", BREAKDOWNS.values(), ids=list(BREAKDOWNS))
def test_the_breakdown_s_last_column_sums_to_the_loss_pytorch_returns(scenario):
    results = analyse(scenario)
    each = torch_check(scenario).per_sample
    for sample in range(scenario.num_samples):
        frame = breakdown_frame(scenario, results, sample)
        assert list(frame["class"]) == ["cat", "dog", "pig"]
        last = WEIGHTED_TERM if scenario.weights is not None else TERM
        assert frame.columns[-1] == last
        np.testing.assert_allclose(frame[last].sum(), each[sample], rtol=1e-5)
        np.testing.assert_allclose(frame[TERM].sum(), results.unweighted[sample], rtol=1e-12)
        np.testing.assert_allclose(frame["target y"].sum(), 1.0)


BREAKDOWN_LINES = [
    ("plain", DEFAULT_SCENARIO, 0, "Loss of sample 1: −Σ y · log p = **2.4076 nats**"),
    # A class weight of 2: the weighted loss is named, beside a column that sums to it.
    ("weight 2", WEIGHTED, 0,
     "Weighted loss of sample 1: −Σ w · y · log p = **4.8152 nats**; unweighted, −Σ y · log p = "
     "2.4076 nats."),
    ("weights and smoothing", BREAKDOWNS["weights and smoothing"], 0,
     "Weighted loss of sample 1 (y: the target smoothed with ε = 0.1): −Σ w · y · log p = "
     "**4.5547 nats**; unweighted, −Σ y · log p = 2.3076 nats."),
    ("ignored", IGNORING_FIRST, 0,
     "Sample 1 is ignored: its −Σ y · log p is **2.4076 nats**, but reduction 'none' gives it 0 "
     "and the mean leaves it out."),
    ("probability targets", BREAKDOWNS["probability targets, weights, smoothing"], 0,
     "Weighted loss of sample 1 (y: the probability targets, smoothed with ε = 0.1): "
     "−Σ w · y · log p = **3.0213 nats**; unweighted, −Σ y · log p = 1.8576 nats."),
]  # fmt: skip


@pytest.mark.parametrize(
    ("scenario", "sample", "line"),
    [case[1:] for case in BREAKDOWN_LINES],
    ids=[case[0] for case in BREAKDOWN_LINES],
)
def test_the_breakdown_line_names_its_quantity(scenario, sample, line):
    assert breakdown_line(scenario, analyse(scenario), sample) == line


def test_sample_names_count_from_one():
    assert sample_names(DEFAULT_SCENARIO) == ["sample 1", "sample 2"]


def test_classes_named_like_the_table_s_own_columns_overwrite_nothing():
    names = ("loss", "target", "prediction", "right?")
    scenario = Scenario(classes=names, logits=[[1, 2, 3, 4]], targets=[0])
    frame = probabilities_frame(scenario, analyse(scenario))
    assert list(frame.columns) == ["p0", "p1", "p2", "p3", "target", "prediction", "right?", "loss"]
    assert frame.at["sample 1", "target"] == "loss"
    assert frame.at["sample 1", "prediction"] == "right?"
    assert printed(frame["loss"]) == printed(analyse(scenario).per_sample)


MATRIX_TAIL = (
    " Row i is sample i's target; column j scores it against sample j's prediction, so only the "
    "diagonal pairs a sample with its own prediction."
)


@pytest.mark.parametrize(
    ("scenario", "note"),
    [
        (
            DEFAULT_SCENARIO,
            "Diagonal: each sample's −Σ y · log p in nats — sum **2.5505**, mean over the 2 "
            "samples **1.2753**." + MATRIX_TAIL,
        ),
        (
            IGNORING_FIRST,
            "Diagonal: each sample's −Σ y · log p in nats (ignored samples included) — sum "
            "**2.5505**, mean over the 2 samples **1.2753**. Over the 1 sample not ignored: sum "
            "**0.1429**, mean **0.1429**." + MATRIX_TAIL,
        ),
        (
            BREAKDOWNS["weights and smoothing"],
            "Diagonal: each sample's −Σ y · log p in nats (unweighted, against the smoothed "
            "targets) — sum **2.6505**, mean over the 2 samples **1.3253**." + MATRIX_TAIL + " The "
            "loss above weighs each term by its class weight; this matrix does not.",
        ),
        (
            DEFAULT_SCENARIO.with_options(ignored=(True, True)),
            "Diagonal: each sample's −Σ y · log p in nats (ignored samples included) — sum "
            "**2.5505**, mean over the 2 samples **1.2753**. No sample is kept." + MATRIX_TAIL,
        ),
    ],
    ids=["plain", "ignored", "weights and smoothing", "every sample ignored"],
)
def test_the_text_beside_the_matrix_says_what_its_diagonal_sums(scenario, note):
    assert matrix_note(scenario, analyse(scenario)) == note


def test_the_per_sample_losses_line():
    assert per_sample_line(DEFAULT_SCENARIO, analyse(DEFAULT_SCENARIO)) == (
        "**Per-sample losses (reduction none):** sample 1: 2.4076, sample 2: 0.1429"
    )


TERMS = [
    ("plain", DEFAULT_SCENARIO,
     "In nats. Each term is one sample's loss as reduction 'none' returns it (−Σ y · log p)."),
    ("ignored", IGNORING_FIRST,
     "In nats. Each term is one sample's loss as reduction 'none' returns it (−Σ y · log p); "
     "ignored samples are left out. The mean divides by the number of samples not ignored, not "
     "by N."),
    ("weights", WEIGHTED.with_options(ignored=(False, True)),
     "In nats. Each term is one sample's loss as reduction 'none' returns it (weighted, "
     "−Σ w · y · log p); ignored samples are left out. With class weights, the mean divides by "
     "Σ w[target] over the samples not ignored, not by N."),
    ("probability targets", BREAKDOWNS["probability targets, weights, smoothing"],
     "In nats. Each term is one sample's loss as reduction 'none' returns it (weighted, "
     "−Σ w · y · log p). With probability targets, the mean divides by N whatever the weights: "
     "they multiply each class's term."),
]  # fmt: skip


@pytest.mark.parametrize(
    ("scenario", "note"), [case[1:] for case in TERMS], ids=[case[0] for case in TERMS]
)
def test_the_terms_of_the_reduction_and_its_denominator_are_named(scenario, note):
    assert terms_note(scenario, analyse(scenario)) == note


def test_every_sample_ignored_gives_pytorch_s_nan_with_its_reason():
    scenario = DEFAULT_SCENARIO.with_options(ignored=(True, True))
    results = analyse(scenario)
    assert np.isnan(results.mean) and results.total == 0 and not results.per_sample.any()
    assert nan_note(scenario, results) == (
        "Every sample is ignored, so the mean divides 0 by 0: PyTorch returns nan for reduction "
        "'mean', 0.0000 for 'sum' and 0 for every sample with 'none'."
    )
    assert nan_note(DEFAULT_SCENARIO, analyse(DEFAULT_SCENARIO)) is None
    assert perplexity_metric(scenario, results, "nats") == (
        "NaN",
        "No perplexity: the mean is NaN. A uniform guess over 3 classes scores ln 3 = 1.0986 nats.",
    )


@pytest.mark.parametrize(
    ("unit", "note"),
    [
        (
            "nats",
            "Perplexity e^CE of the mean loss 1.2753 nats: as unsure as 3.58 equally likely "
            "classes — the effective number of classes. A uniform guess over 3 classes scores "
            "ln 3 = 1.0986 nats.",
        ),
        (
            "bits",
            "Perplexity e^CE of the mean loss 1.2753 nats = 1.8398 bits: as unsure as 3.58 "
            "equally likely classes — the effective number of classes. A uniform guess over 3 "
            "classes scores ln 3 = 1.0986 nats = 1.5850 bits.",
        ),
    ],
)
def test_perplexity_and_the_uniform_guess_stand_beside_the_mean(unit, note):
    assert perplexity_metric(DEFAULT_SCENARIO, analyse(DEFAULT_SCENARIO), unit) == ("3.58", note)


NLL_FORMULA = (
    "The probability the model gives the batch's targets is Π p_target, so the mean loss is "
    "−(1/N) · log Π p_target = −(1/N) · Σ log p_target: the negative log-likelihood."
)


def test_the_mean_loss_is_the_batch_s_negative_log_likelihood():
    assert likelihood_lines(DEFAULT_SCENARIO, analyse(DEFAULT_SCENARIO), "nats") == [
        NLL_FORMULA,
        "Here, over the 2 samples: Σ log p_target = -2.5505 nats (a sum of logs, which cannot "
        "underflow); Π p_target = 7.8040e-02; −(1/2) · (-2.5505) = **1.2753 nats**.",
        "That is the mean loss above.",
    ]
    # Π p_target = 0.0900 · 0.8668, and the log of it, by hand.
    assert np.isclose(np.exp(-2.407606 - 0.142932), 7.8040e-02, rtol=1e-4)


def test_a_product_that_underflows_is_said_to_and_its_log_is_still_exact():
    scenario = Scenario(
        classes=("a", "b"), logits=[[0, -5e5], [0, -5e5]], targets=[1, 1], precision="float64"
    )
    lines = likelihood_lines(scenario, analyse(scenario), "bits")
    assert lines[1] == (
        "Here, over the 2 samples: Σ log p_target = -1.0000e+06 nats (a sum of logs, which cannot "
        "underflow); Π p_target = 0 — it underflows: e to that power is below the smallest "
        "float64 (about 4.9e-324); −(1/2) · (-1.0000e+06) = **500000.0000 nats = 721347.5204 "
        "bits**."
    )


def test_the_likelihood_says_when_the_loss_is_another_quantity():
    weighted = BREAKDOWNS["weights and smoothing"].with_options(ignored=(False, True))
    lines = likelihood_lines(weighted, analyse(weighted), "nats")
    assert lines[1].startswith("Here, over the 1 sample not ignored: Σ log p_target = -2.4076")
    assert lines[2] == (
        "The mean loss above differs: it weighs each sample by its class weight and scores "
        "smoothed targets."
    )
    everyone_out = DEFAULT_SCENARIO.with_options(ignored=(True, True))
    assert likelihood_lines(everyone_out, analyse(everyone_out), "nats")[1:] == [
        "No sample is kept: Π over nothing is 1, and −(1/0) · 0 is NaN, as the mean."
    ]
    soft = BREAKDOWNS["probability targets, weights, smoothing"]
    assert likelihood_lines(soft, analyse(soft), "nats")[1] == (
        "With probability targets there is no single target class per sample: each sample's loss "
        "is −Σ y · log p, which this form does not cover."
    )


TORCH_LINES = [
    ("mean", DEFAULT_SCENARIO,
     "`torch.nn.functional.cross_entropy` gives, with reduction 'mean', **1.2753** — the same."),
    ("sum", DEFAULT_SCENARIO.with_options(reduction="sum"),
     "`torch.nn.functional.cross_entropy` gives, with reduction 'sum', **2.5505** — the same."),
    # The seed's (1, 4, 2) output: PyTorch returns the vector, so the vector is compared.
    ("none", PRESETS["PyTorch explainer: (1, 4, 2) output, one row per position"],
     "`torch.nn.functional.cross_entropy` gives, with reduction 'none', the vector "
     "**[0.0037, 8.0037]** — the same as the loss column."),
    ("none, ignored", IGNORING_FIRST.with_options(reduction="none"),
     "`torch.nn.functional.cross_entropy` gives, with reduction 'none', the vector "
     "**[0.0000, 0.1429]** — the same as the loss column (0 for an ignored sample)."),
    ("every sample ignored", DEFAULT_SCENARIO.with_options(ignored=(True, True)),
     "`torch.nn.functional.cross_entropy` gives, with reduction 'mean', **NaN** — the same."),
]  # fmt: skip


@pytest.mark.parametrize(
    ("scenario", "line"), [case[1:] for case in TORCH_LINES], ids=[case[0] for case in TORCH_LINES]
)
def test_the_pytorch_line_compares_what_pytorch_returns(scenario, line):
    assert torch_line(scenario, analyse(scenario), torch_check(scenario)) == line


def test_pytorch_prints_the_seed_s_softmax_in_its_digits():
    # /work/shared/seeds/001: softmax of [4, 3, 2, 10], printed by PyTorch.
    check = torch_check(PRESETS["PyTorch explainer: confident and right (0.0037)"])
    assert check.printed_probabilities == (
        "tensor([[2.4696e-03, 9.0850e-04, 3.3422e-04, 9.9629e-01]])"
    )
    assert check.printed_loss == "tensor([0.0037])"
