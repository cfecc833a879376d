"""xentcore — softmax, cross-entropy and their relatives in NumPy, faithful to PyTorch.

NumPy in, NumPy out; the class dimension is axis 1 (axis 0 for a single sample), as in PyTorch.
Only NumPy is imported with the package; PyTorch only inside the functions that call it. No
user-interface code lives here.
"""

from xentcore.binary import binary_cross_entropy, binary_cross_entropy_with_logits
from xentcore.bootstrap import (
    BootstrapInterval,
    bootstrap_mean_interval,
    paired_bootstrap_difference,
)
from xentcore.calibration import (
    Reliability,
    adaptive_calibration_error,
    calibration_bins,
    calibration_edges,
    classwise_calibration_error,
    confidence_histogram,
    expected_calibration_error,
    max_calibration_error,
    reliability_bins,
    top_label_confidence,
)
from xentcore.categorical import (
    DEFAULT_EPS,
    MAX_LOSS_MATRIX_ROWS,
    categorical_cross_entropy,
    categorical_cross_entropy_diagonal,
    categorical_cross_entropy_loop,
    loss_matrix,
)
from xentcore.conventions import (
    KERAS_EPSILON,
    keras_categorical_crossentropy,
    sklearn_log_loss,
    sklearn_target_log_loss,
)
from xentcore.cross_entropy import cross_entropy, nll_loss
from xentcore.finite import nonfinite_cells
from xentcore.gradient import cross_entropy_grad
from xentcore.information import entropy, kl_divergence, nats_to_bits, perplexity
from xentcore.label_issues import LabelIssues, confident_thresholds, find_label_issues
from xentcore.metrics import (
    ClassScores,
    brier_score,
    precision_recall_f1,
    target_rank,
    top_k_accuracy,
)
from xentcore.positions import loss_map, target_probabilities
from xentcore.scores import (
    ScoreAnalysis,
    ScoreSummary,
    analyse_scores,
    fit_sample_rows,
    summarise_scores,
)
from xentcore.sequences import SequenceLosses, sequence_losses, sequence_losses_from_logits
from xentcore.softmax import log_softmax, logsumexp, one_hot, softmax
from xentcore.temperature import TemperatureFit, fit_temperature
from xentcore.torch_check import (
    torch_available,
    torch_cross_entropy,
    torch_cross_entropy_grad,
    torch_mean_cross_entropy,
)

__all__ = [
    "DEFAULT_EPS",
    "KERAS_EPSILON",
    "MAX_LOSS_MATRIX_ROWS",
    "BootstrapInterval",
    "ClassScores",
    "LabelIssues",
    "Reliability",
    "ScoreAnalysis",
    "ScoreSummary",
    "SequenceLosses",
    "TemperatureFit",
    "adaptive_calibration_error",
    "analyse_scores",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "bootstrap_mean_interval",
    "brier_score",
    "calibration_bins",
    "calibration_edges",
    "categorical_cross_entropy",
    "categorical_cross_entropy_diagonal",
    "categorical_cross_entropy_loop",
    "classwise_calibration_error",
    "confidence_histogram",
    "confident_thresholds",
    "cross_entropy",
    "cross_entropy_grad",
    "entropy",
    "expected_calibration_error",
    "find_label_issues",
    "fit_sample_rows",
    "fit_temperature",
    "keras_categorical_crossentropy",
    "kl_divergence",
    "log_softmax",
    "logsumexp",
    "loss_map",
    "loss_matrix",
    "max_calibration_error",
    "nats_to_bits",
    "nll_loss",
    "nonfinite_cells",
    "one_hot",
    "paired_bootstrap_difference",
    "perplexity",
    "precision_recall_f1",
    "reliability_bins",
    "sequence_losses",
    "sequence_losses_from_logits",
    "sklearn_log_loss",
    "sklearn_target_log_loss",
    "softmax",
    "summarise_scores",
    "target_probabilities",
    "target_rank",
    "top_k_accuracy",
    "top_label_confidence",
    "torch_available",
    "torch_cross_entropy",
    "torch_cross_entropy_grad",
    "torch_mean_cross_entropy",
]
