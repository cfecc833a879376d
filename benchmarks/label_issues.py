"""How well xentcore.find_label_issues finds labels flipped on purpose, beside cleanlab.

Run from the repository root:

    python benchmarks/label_issues.py                 # digits, 10 % and 20 % flipped
    python benchmarks/label_issues.py --rates 0.05

scikit-learn's digits (1,797 images, 10 classes): a seeded fraction of the labels is replaced by
another class drawn uniformly; out-of-fold probabilities come from a standardised logistic
regression trained by ``cross_val_predict`` (5 folds, seeded) on the flipped labels. Each method
flags a set of samples; precision = flagged that were flipped / flagged, recall = flipped that
were flagged. The peers: cleanlab's ``find_label_issues`` with its default filter
("prune_by_noise_rate") and with ``filter_by="confident_learning"`` (the rule xentcore follows).
VERDICT lines: xent's precision and recall each at least FLOOR, within SAME_RULE_MARGIN of
cleanlab's confident_learning (the same rule: only float rounding at a threshold may differ) and
within DEFAULT_MARGIN of cleanlab's default (a different rule, which prunes by estimated noise
rates and flags more: higher recall, lower precision). The script exits 0 either way: it is a
report, not a test (tests/core/test_label_issues.py asserts the same verdicts at 10 %).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# The flipped data set and the verdicts are the test's (tests/label_cases.py): one definition.
ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from label_cases import DEFAULT_RATES, flipped_digits, methods, precision_recall, verdicts  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rates", nargs="+", type=float, default=DEFAULT_RATES)
    options = parser.parse_args(argv)
    import cleanlab

    print(f"label errors on digits (benchmarks/label_issues.py), cleanlab {cleanlab.__version__}")
    for rate in options.rates:
        case = flipped_digits(rate)
        print(f"\n=== {rate:.0%} flipped: {int(case.flipped.sum())} of {case.labels.size} ===")
        print(f"  {'method':<32}{'flagged':>9}{'precision':>11}{'recall':>9}")
        scores = {}
        for label, flagged in methods(case).items():
            scores[label] = precision_recall(flagged, case.flipped)
            print(
                f"  {label:<32}{flagged.size:>9}{scores[label][0]:>11.3f}{scores[label][1]:>9.3f}"
            )
        for line in verdicts(scores):
            print(f"VERDICT label issues {rate:.0%} {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
