"""xentcore — softmax, cross-entropy and their relatives in NumPy, faithful to PyTorch.

NumPy in, NumPy out; the class dimension is axis 1 (axis 0 for a single sample), as in PyTorch.
No user-interface code lives here.
"""

from xentcore.binary import binary_cross_entropy, binary_cross_entropy_with_logits
from xentcore.categorical import (
    DEFAULT_EPS,
    MAX_LOSS_MATRIX_ROWS,
    categorical_cross_entropy,
    categorical_cross_entropy_diagonal,
    categorical_cross_entropy_loop,
    loss_matrix,
)
from xentcore.cross_entropy import cross_entropy, nll_loss
from xentcore.finite import nonfinite_cells
from xentcore.gradient import cross_entropy_grad
from xentcore.information import entropy, kl_divergence
from xentcore.softmax import log_softmax, logsumexp, one_hot, softmax
from xentcore.torch_check import torch_available, torch_cross_entropy, torch_cross_entropy_grad

__all__ = [
    "DEFAULT_EPS",
    "MAX_LOSS_MATRIX_ROWS",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "categorical_cross_entropy",
    "categorical_cross_entropy_diagonal",
    "categorical_cross_entropy_loop",
    "cross_entropy",
    "cross_entropy_grad",
    "entropy",
    "kl_divergence",
    "log_softmax",
    "logsumexp",
    "loss_matrix",
    "nll_loss",
    "nonfinite_cells",
    "one_hot",
    "softmax",
    "torch_available",
    "torch_cross_entropy",
    "torch_cross_entropy_grad",
]
