"""Every validation error, pinned by type and by the start of its message.

Each message must name the argument, what was expected and what was received, so a table row
fails if the check is dropped, raises the wrong type, or loses the information a user acts on.
"""

import numpy as np
import pytest

import xentcore as xc

LOGITS = np.zeros((2, 3))  # two samples, three classes
TARGETS = np.array([0, 2])
PROBS = np.full((2, 3), 1 / 3)


def case(call, error, pattern, id):
    return pytest.param(call, error, pattern, id=id)


# Values in some messages are NumPy scalars; `.*` leaves their repr (1.5 or np.float64(1.5)) open.
INPUT_AND_TARGET_ERRORS = [
    case(
        lambda: xc.cross_entropy(1.0, 0),
        ValueError,
        r"^input must have shape \(C,\), \(N, C\) or \(N, C, d1, \.\.\., dK\); got a scalar$",
        "scalar-input",
    ),
    case(
        lambda: xc.nll_loss(np.float64(-1.0), 0),
        ValueError,
        r"^log_probs must have shape \(C,\), \(N, C\) or \(N, C, d1, \.\.\., dK\); got a scalar$",
        "scalar-log-probs",
    ),
    case(
        lambda: xc.cross_entropy([[1.0, 2.0], [3.0]], [0, 1]),
        TypeError,
        r"^input must be a numeric array; got list \(",
        "ragged-input",
    ),
    case(
        lambda: xc.cross_entropy(np.array([["a", "b"]]), [0]),
        TypeError,
        r"^input must hold real numbers; got an array of dtype <U1$",
        "string-input",
    ),
    case(
        lambda: xc.cross_entropy(LOGITS, [0, 1, 2]),
        ValueError,
        r"^target must have shape \(2,\) \(class indices\) or \(2, 3\) \(class probabilities\) "
        r"to match input of shape \(2, 3\); got shape \(3,\)$",
        "target-shape-mismatch",
    ),
    case(
        lambda: xc.cross_entropy(np.zeros((2, 3, 4)), np.zeros((2, 3), dtype=int)),
        ValueError,
        r"^target must have shape \(2, 4\) \(class indices\) or \(2, 3, 4\) "
        r"\(class probabilities\)",
        "target-shape-mismatch-extra-dims",
    ),
    case(
        lambda: xc.cross_entropy(LOGITS, np.full((2, 4), 0.25)),
        ValueError,
        r"^target must have shape \(2,\) \(class indices\) or \(2, 3\) \(class probabilities\) "
        r"to match input of shape \(2, 3\); got shape \(2, 4\)$",
        "probability-target-wrong-shape",
    ),
    case(
        lambda: xc.cross_entropy(LOGITS, [0, 3]),
        IndexError,
        r"^target 3 at index \(1,\) is out of range: class indices must be in \[0, 2\] for 3 "
        r"classes, or equal ignore_index \(-100\)$",
        "class-index-too-large",
    ),
    case(
        lambda: xc.nll_loss(LOGITS, [-1, 0]),
        IndexError,
        r"^target -1 at index \(0,\) is out of range: class indices must be in \[0, 2\]",
        "class-index-negative",
    ),
    case(
        lambda: xc.cross_entropy(LOGITS, [0, 1.5]),
        TypeError,
        r"^target must hold integer class indices; got .*1\.5.* at index \(1,\)$",
        "non-integer-class-target",
    ),
    case(
        lambda: xc.cross_entropy(LOGITS, [0, np.nan]),
        TypeError,
        r"^target must hold integer class indices; got .*nan.* at index \(1,\)$",
        "nan-class-target",
    ),
    case(
        lambda: xc.cross_entropy(LOGITS, [True, False]),
        TypeError,
        r"^target must hold integer class indices; got an array of dtype bool$",
        "boolean-class-target",
    ),
    case(
        lambda: xc.cross_entropy(LOGITS, np.zeros((2, 3), dtype=np.int64)),
        TypeError,
        r"^probability target must be a floating array; got dtype int64 \(pass class indices "
        r"with the class axis removed instead\)$",
        "integer-probability-target",
    ),
    case(
        lambda: xc.cross_entropy(np.zeros((2, 0)), TARGETS),
        ValueError,
        r"^input has no classes \(shape \(2, 0\)\); expected at least one class along axis 1$",
        "zero-classes",
    ),
]

OPTION_ERRORS = [
    case(
        lambda: xc.cross_entropy(LOGITS, TARGETS, weight=[1.0, 2.0]),
        ValueError,
        r"^weight must have shape \(3,\), one entry per class; got shape \(2,\)$",
        "weight-wrong-length",
    ),
    case(
        lambda: xc.cross_entropy(LOGITS, TARGETS, weight=[1.0, -1.0, 1.0]),
        ValueError,
        r"^weight must be non-negative; got .*-1\.0.* for class 1$",
        "weight-negative",
    ),
    case(
        lambda: xc.cross_entropy(LOGITS, TARGETS, weight=[1.0, np.inf, 1.0]),
        ValueError,
        r"^weight must be finite; got \[1\.0, inf, 1\.0\]$",
        "weight-infinite",
    ),
    case(
        lambda: xc.nll_loss(LOGITS, TARGETS, weight=[1.0, np.nan, 1.0]),
        ValueError,
        r"^weight must be finite; got \[1\.0, nan, 1\.0\]$",
        "weight-nan",
    ),
    case(
        lambda: xc.cross_entropy(LOGITS, TARGETS, label_smoothing=1.5),
        ValueError,
        r"^label_smoothing must be in \[0, 1\]; got 1\.5$",
        "label-smoothing-above-1",
    ),
    case(
        lambda: xc.cross_entropy(LOGITS, TARGETS, label_smoothing=-0.1),
        ValueError,
        r"^label_smoothing must be in \[0, 1\]; got -0\.1$",
        "label-smoothing-negative",
    ),
    case(
        lambda: xc.cross_entropy(LOGITS, TARGETS, label_smoothing="0.1"),
        TypeError,
        r"^label_smoothing must be a number in \[0, 1\]; got '0\.1'$",
        "label-smoothing-string",
    ),
    case(
        lambda: xc.cross_entropy_grad(LOGITS, TARGETS, label_smoothing=True),
        TypeError,
        r"^label_smoothing must be a number in \[0, 1\]; got True$",
        "label-smoothing-bool",
    ),
    case(
        lambda: xc.cross_entropy(LOGITS, TARGETS, ignore_index=1.5),
        TypeError,
        r"^ignore_index must be an int; got 1\.5$",
        "ignore-index-float",
    ),
    case(
        lambda: xc.cross_entropy(LOGITS, PROBS, ignore_index=0),
        ValueError,
        r"^ignore_index is not supported with probability targets \(a target of the input's "
        r"shape \(2, 3\)\); got ignore_index=0\. Pass class indices to ignore positions",
        "ignore-index-with-probabilities",
    ),
    case(
        lambda: xc.cross_entropy_grad(LOGITS, PROBS, ignore_index=0),
        ValueError,
        r"^ignore_index is not supported with probability targets; got 0$",
        "ignore-index-with-probabilities-gradient",
    ),
]

# Every loss that takes a reduction refuses an unknown one and lists the valid ones.
REDUCTION_ERRORS = [
    case(call, ValueError, r"^reduction must be one of 'none', 'mean', 'sum'; got 'avg'$", name)
    for name, call in [
        ("cross_entropy", lambda: xc.cross_entropy(LOGITS, TARGETS, reduction="avg")),
        ("nll_loss", lambda: xc.nll_loss(LOGITS, TARGETS, reduction="avg")),
        ("cross_entropy_grad", lambda: xc.cross_entropy_grad(LOGITS, TARGETS, reduction="avg")),
        ("binary", lambda: xc.binary_cross_entropy([0.5], [1.0], reduction="avg")),
        (
            "binary-logits",
            lambda: xc.binary_cross_entropy_with_logits([0.5], [1.0], None, None, "avg"),
        ),
        ("categorical", lambda: xc.categorical_cross_entropy([0], [[1.0]], reduction="avg")),
    ]
]

BINARY_ERRORS = [
    case(
        lambda: xc.binary_cross_entropy([0.5, 1.5], [0.0, 1.0]),
        ValueError,
        r"^probs must lie in \[0, 1\] \(apply a sigmoid to logits, or use "
        r"binary_cross_entropy_with_logits\); got .*1\.5.* at index \(1,\)$",
        "probs-above-1",
    ),
    case(
        lambda: xc.binary_cross_entropy([-0.1, 0.5], [0.0, 1.0]),
        ValueError,
        r"^probs must lie in \[0, 1\] .*; got .*-0\.1.* at index \(0,\)$",
        "probs-negative",
    ),
    case(
        lambda: xc.binary_cross_entropy([0.5, 0.5, 0.5], [0.0, 1.0]),
        ValueError,
        r"^target must have the same shape as probs \(3,\); got \(2,\)$",
        "target-shape",
    ),
    case(
        lambda: xc.binary_cross_entropy([0.5, 0.5, 0.5], [0.0, 1.0, 1.0], weight=[1.0, 2.0]),
        ValueError,
        r"^weight of shape \(2,\) cannot be broadcast to the input's shape \(3,\)$",
        "weight-not-broadcastable",
    ),
    case(
        lambda: xc.binary_cross_entropy([0.5, 0.5, 0.5], [0.0, 1.0, 1.0], weight=np.ones((2, 3))),
        ValueError,
        r"^weight of shape \(2, 3\) cannot be broadcast to the input's shape \(3,\)$",
        "weight-would-enlarge-the-loss",
    ),
    case(
        lambda: xc.binary_cross_entropy_with_logits(
            np.zeros((2, 3)), np.zeros((2, 3)), pos_weight=[1.0, 2.0]
        ),
        ValueError,
        r"^pos_weight of shape \(2,\) cannot be broadcast to the input's shape \(2, 3\)$",
        "pos-weight-not-broadcastable",
    ),
]

AXIS_AND_ONE_HOT_ERRORS = [
    case(
        lambda: xc.softmax(0.5, axis=1),
        ValueError,
        r"^axis 1 is out of range for x with 0 dimensions \(a scalar\); valid axes are -1 to 0$",
        "softmax-scalar-axis",
    ),
    case(
        lambda: xc.softmax(LOGITS, axis=2),
        ValueError,
        r"^axis 2 is out of range for x with 2 dimension\(s\); valid axes are -2 to 1$",
        "softmax-axis-too-large",
    ),
    case(
        lambda: xc.log_softmax(LOGITS, axis=-3),
        ValueError,
        r"^axis -3 is out of range for x with 2 dimension\(s\); valid axes are -2 to 1$",
        "log-softmax-axis-too-negative",
    ),
    case(
        lambda: xc.logsumexp(LOGITS, axis=1.0),
        TypeError,
        r"^axis must be an int or None; got 1\.0$",
        "logsumexp-axis-float",
    ),
    case(
        lambda: xc.entropy(PROBS, axis=5),
        ValueError,
        r"^axis 5 is out of range for p with 2 dimension\(s\)",
        "entropy-axis",
    ),
    case(
        lambda: xc.one_hot([0, 1], 0),
        ValueError,
        r"^num_classes must be at least 1; got 0$",
        "one-hot-zero-classes",
    ),
    case(
        lambda: xc.one_hot([0, 1], 2.0),
        TypeError,
        r"^num_classes must be a positive int; got 2\.0$",
        "one-hot-float-classes",
    ),
    case(
        lambda: xc.one_hot([0, 3], 3),
        IndexError,
        r"^target 3 at index \(1,\) is out of range: class indices must be in \[0, 2\] for "
        r"num_classes=3$",
        "one-hot-index-out-of-range",
    ),
    case(
        lambda: xc.one_hot([0.0, 1.0], 3),
        TypeError,
        r"^target must hold integer class indices; got an array of dtype float64$",
        "one-hot-float-targets",
    ),
]

CATEGORICAL_AND_INFORMATION_ERRORS = [
    case(
        lambda: xc.categorical_cross_entropy([0], [[0.5, 0.5]], eps=0.5),
        ValueError,
        r"^eps must be a number in \[0, 0\.5\); got 0\.5$",
        "eps-too-large",
    ),
    case(
        lambda: xc.categorical_cross_entropy_loop([0], [[0.5, 0.5]], eps=-1e-3),
        ValueError,
        r"^eps must be a number in \[0, 0\.5\); got -0\.001$",
        "eps-negative",
    ),
    case(
        lambda: xc.loss_matrix([0], [[0.5, 0.5]], eps="tiny"),
        ValueError,
        r"^eps must be a number in \[0, 0\.5\); got 'tiny'$",
        "eps-string",
    ),
    case(
        lambda: xc.categorical_cross_entropy([0], [0.5, 0.5]),
        ValueError,
        r"^y_prob must have shape \(N, C\); got 1-D shape \(2,\)$",
        "y-prob-one-dimensional",
    ),
    case(
        lambda: xc.categorical_cross_entropy([0], [[1.5, 0.0]]),
        ValueError,
        r"^y_prob must hold probabilities in \[0, 1\] \(apply softmax to logits first\); "
        r"got .*1\.5.* at \(0, 0\)$",
        "y-prob-outside-0-1",
    ),
    case(
        lambda: xc.categorical_cross_entropy_diagonal([0, 1], [[1.0, 0.0]]),
        ValueError,
        r"^y_true must be class indices of shape \(1,\) or one-hot/soft targets of y_prob's "
        r"shape \(1, 2\); got shape \(2,\)$",
        "y-true-shape",
    ),
    case(
        lambda: xc.entropy([0.5, -0.5]),
        ValueError,
        r"^p must be non-negative probabilities; got .*-0\.5.* at \(1,\)$",
        "entropy-negative",
    ),
    case(
        lambda: xc.kl_divergence([0.5, 0.5], [0.2, 0.3, 0.5]),
        ValueError,
        r"^p and q must have the same shape; got \(2,\) and \(3,\)$",
        "kl-shape-mismatch",
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "pattern"),
    INPUT_AND_TARGET_ERRORS
    + OPTION_ERRORS
    + REDUCTION_ERRORS
    + BINARY_ERRORS
    + AXIS_AND_ONE_HOT_ERRORS
    + CATEGORICAL_AND_INFORMATION_ERRORS,
)
def test_invalid_arguments_raise_a_pinned_message(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


def test_ignore_index_target_outside_the_class_range_is_not_an_error():
    """-100 and any other ignore_index may lie outside [0, C): those positions are skipped."""
    assert np.isfinite(xc.cross_entropy(LOGITS, [-100, 2]))
    assert np.isfinite(xc.nll_loss(LOGITS, [5, 2], ignore_index=5))
    assert np.isfinite(xc.cross_entropy_grad(LOGITS, [5, 2], ignore_index=5)).all()
