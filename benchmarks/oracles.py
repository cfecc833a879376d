"""Does xent agree with the field's oracles on real classifiers' outputs? A table, and a verdict.

Run from the repository root:

    python benchmarks/oracles.py

For each case — a data set scikit-learn ships (digits, wine, breast cancer) × a classifier (kNN
with 5 and 10 neighbours, a random forest, logistic regression, Gaussian naive Bayes) × float32 or
float64, made by `tests/core_helpers.classifier_outputs` — it prints four quantities, what xent
gives, what an independent oracle gives, and their difference:

- mean CE: `xentcore.analyse_scores(z, y).mean_loss` (the Your model page's figure) against
  ``torch.nn.functional.cross_entropy`` on the same tensor, in the case's dtype. z are the
  model's own logits, or log P (P lifted by 1e-3 where a probability is 0).
- ECE: the page's ECE of the probabilities as given (`analyse_scores(P, y, from_logits=False)`,
  15 bins) against torchmetrics' ``MulticlassCalibrationError(num_classes=C, n_bins=15,
  norm="l1")``. kNN's and forests' probabilities j / k sit on the bin edges.
- fitted T: `xentcore.fit_temperature(z, y)` against `core_helpers.converged_temperature`, a
  float64 fit in torch: a grid over log T, then golden-section search of the mean NLL to 1e-12.
- NLL after T: `fit_temperature`'s mean NLL against torch's float64 cross-entropy of z / T_oracle.

Tolerances: mean CE relative 1e-5 (float32) or 1e-12 (float64); ECE absolute 2e-5 (torchmetrics
sums in float32); T relative 1e-4; NLL after T relative 1e-9. The last line, VERDICT, says
whether every difference is within its tolerance, and the largest of each. The script exits 0
either way: it is a report, not a test (tests/core/test_calibration.py is the test).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torchmetrics.classification import MulticlassCalibrationError

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO_ROOT), str(REPO_ROOT / "tests")]

from core_helpers import (  # noqa: E402
    CLASSIFIER_DATASETS,
    CLASSIFIER_MODELS,
    classifier_outputs,
    converged_temperature,
    torch_nll,
)

import xentcore  # noqa: E402

N_BINS = 15
# (quantity, relative?, tolerance for float32, for float64)
TOLERANCES = {
    "mean CE": (True, 1e-5, 1e-12),
    "ECE": (False, 2e-5, 2e-5),
    "fitted T": (True, 1e-4, 1e-4),
    "NLL after T": (True, 1e-9, 1e-9),
}


def torchmetrics_ece(p: np.ndarray, y: np.ndarray) -> float:
    metric = MulticlassCalibrationError(num_classes=p.shape[1], n_bins=N_BINS, norm="l1")
    return float(metric(torch.from_numpy(p), torch.from_numpy(y)))


def case_rows(dataset: str, model: str, dtype: type) -> list[tuple[str, float, float]]:
    """(quantity, xent, oracle) for one case."""
    case = classifier_outputs(dataset, model, dtype)
    z, p, y = case.logits, case.probabilities, case.labels
    ce_torch = float(F.cross_entropy(torch.from_numpy(z), torch.from_numpy(y)))
    rows = [
        ("mean CE", xentcore.analyse_scores(z, y, fit=False).mean_loss, ce_torch),
        (
            "ECE",
            xentcore.analyse_scores(p, y, from_logits=False, fit=False).reliability.ece,
            torchmetrics_ece(p, y),
        ),
    ]
    fit = xentcore.fit_temperature(z, y)
    if 0 < fit.temperature < math.inf:
        reference = converged_temperature(z, y)
        rows.append(("fitted T", fit.temperature, reference))
        rows.append(("NLL after T", fit.nll, torch_nll(z, y, reference)))
    return rows


def main() -> None:
    print("| data set | model | dtype | quantity | xent | oracle | abs diff | within |")
    print("| --- | --- | --- | --- | ---: | ---: | ---: | --- |")
    worst: dict[str, float] = {}
    failures = 0
    for dataset in CLASSIFIER_DATASETS:
        for model in CLASSIFIER_MODELS:
            for dtype in (np.float32, np.float64):
                for quantity, ours, oracle in case_rows(dataset, model, dtype):
                    relative, tol32, tol64 = TOLERANCES[quantity]
                    tol = tol32 if dtype is np.float32 else tol64
                    diff = abs(ours - oracle)
                    measure = diff / abs(oracle) if relative and oracle else diff
                    ok = measure <= tol
                    failures += not ok
                    worst[quantity] = max(worst.get(quantity, 0.0), measure)
                    print(
                        f"| {dataset} | {model} | {dtype.__name__} | {quantity} | {ours:.10g} "
                        f"| {oracle:.10g} | {diff:.2e} | {'yes' if ok else 'NO'} |"
                    )
    largest = ", ".join(
        f"{q} {'relative' if TOLERANCES[q][0] else 'absolute'} {v:.2e}" for q, v in worst.items()
    )
    verdict = "every difference within tolerance" if not failures else f"{failures} outside"
    print(f"\nVERDICT: {verdict}; largest: {largest}")


if __name__ == "__main__":
    main()
