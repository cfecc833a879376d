"""find_label_issues: the confident-learning rule by plain loops and against cleanlab, and its
precision / recall on digits with 10 % of the labels flipped (seeded)."""

from __future__ import annotations

import numpy as np
import pytest
from cleanlab.count import compute_confident_joint, get_confident_thresholds
from hypothesis import given, settings
from hypothesis import strategies as st
from label_cases import FLOOR, flipped_digits, methods, precision_recall, verdicts

import xentcore
from xentcore.label_issues import confident_thresholds, find_label_issues


def random_probabilities(n, c, seed):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.full(c, 0.5), n)
    labels = np.where(rng.random(n) < 0.8, p.argmax(1), rng.integers(0, c, n))
    return p, labels


def flagged_loop(p, labels):
    """The rule of the module, one sample at a time."""
    n, c = p.shape
    thresholds = [np.mean([p[i, j] for i in range(n) if labels[i] == j]) for j in range(c)]
    out = {}
    for i in range(n):
        reached = [k for k in range(c) if p[i, k] >= thresholds[k] - 1e-6]
        if reached:
            best = max(reached, key=lambda k: (p[i, k], -k))
            if best != labels[i]:
                out[i] = best
    return out


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 120), st.integers(2, 6), st.integers(0, 2**32 - 1))
def test_the_flagged_samples_are_the_loops(n, c, seed):
    p, labels = random_probabilities(max(n, c), c, seed)
    if len(set(labels.tolist())) < c:  # the loop's mean needs every class labelled
        labels[:c] = np.arange(c)
    issues = find_label_issues(p, labels)
    expected = flagged_loop(p, labels)
    assert dict(zip(issues.indices.tolist(), issues.suggested.tolist(), strict=True)) == expected
    assert (np.diff(issues.score) >= 0).all()  # least likely first
    np.testing.assert_array_equal(issues.given, labels[issues.indices])
    np.testing.assert_array_equal(issues.p_given, p[issues.indices, issues.given])


def test_thresholds_and_the_confident_joint_are_cleanlabs():
    p, labels = random_probabilities(2_000, 7, seed=1)
    np.testing.assert_allclose(
        confident_thresholds(p, labels), get_confident_thresholds(labels, p), rtol=1e-12
    )
    # cleanlab calibrates its joint by default; the raw counts are the uncalibrated one
    joint = compute_confident_joint(labels, p, calibrate=False)
    np.testing.assert_array_equal(find_label_issues(p, labels).confident_joint, joint)


def test_normalised_margin_ranks_by_the_margin():
    p, labels = random_probabilities(500, 5, seed=2)
    issues = find_label_issues(p, labels, rank_by="normalized_margin")
    others = p[issues.indices].copy()
    others[np.arange(len(issues)), issues.given] = -1
    np.testing.assert_allclose(issues.score, issues.p_given - others.max(1), rtol=1e-12)
    assert (np.diff(issues.score) >= 0).all()
    same = find_label_issues(p, labels)
    assert set(issues.indices.tolist()) == set(same.indices.tolist())


def test_a_class_nobody_is_labelled_with_is_never_suggested():
    p = np.array([[0.1, 0.1, 0.8], [0.7, 0.2, 0.1], [0.2, 0.7, 0.1], [0.6, 0.3, 0.1]])
    issues = find_label_issues(p, np.array([0, 0, 1, 1]))
    assert np.isnan(issues.thresholds[2])
    assert 2 not in issues.suggested.tolist()


def test_digits_with_ten_percent_flipped():
    case = flipped_digits(0.1)
    found = methods(case)
    scores = {label: precision_recall(flagged, case.flipped) for label, flagged in found.items()}
    mine = scores["xentcore.find_label_issues"]
    assert min(mine) >= FLOOR
    failed = [line for line, ok in verdicts(scores).items() if not ok]
    assert not failed, failed
    issues = find_label_issues(case.probabilities, case.labels)
    assert (issues.suggested != issues.given).all()
    assert xentcore.label_issues.RANK_BY == ("self_confidence", "normalized_margin")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: find_label_issues([[0.5, 0.5]], [0], rank_by="margin"),
            r"^rank_by must be one of 'self_confidence', 'normalized_margin'; got 'margin'",
        ),
        (
            lambda: find_label_issues([[2.0, -1.0]], [0]),
            r"^probabilities must be finite numbers in \[0, 1\].*got values from -1 to 2",
        ),
        (
            lambda: find_label_issues([[0.5, np.nan]], [0]),
            r"^probabilities must be finite numbers in \[0, 1\].*with NaN",
        ),
        (lambda: find_label_issues([[0.5, 0.5]], [2]), r"^labels holds 2, outside"),
        (lambda: find_label_issues([[0.5, 0.5]], [0, 1]), r"^labels must be 1 class indices"),
    ],
)
def test_errors_name_the_argument(call, message):
    with pytest.raises((ValueError, IndexError), match=message):
        call()
