"""The three text boxes of the libraries comparison, read into what every library is given.

Probabilities P (rows in [0, 1]; they need not sum to 1 — what each library does with a row that
does not is one of the differences on show), one target class index per row, and optional class
weights. Every problem comes back as a `Problem` naming its box, to be shown beside it. Targets
are class indices 0 … C − 1 only: Keras and scikit-learn know no ignore_index.
"""

from __future__ import annotations

from xentui.domain.typed_numbers import class_indices
from xentui.kit.problems import Problem
from xentui.lessons.class_weights import parse_class_weights
from xentui.lessons.libraries import LibraryInputs
from xentui.lessons.soft_targets import probability_rows

__all__ = ["MAX_CLASSES", "MAX_ROWS", "PROBABILITIES", "TARGETS", "WEIGHTS", "library_inputs"]

MAX_ROWS, MAX_CLASSES = 8, 16  # a comparison table, not a data set
PROBABILITIES, TARGETS, WEIGHTS = "P", "t", "w"


def library_inputs(
    probabilities: object, targets: object, weights: object
) -> tuple[LibraryInputs | None, tuple[Problem, ...]]:
    """Read the boxes P, t and w (empty w: no weights); the inputs, or None with the Problems.

    >>> inputs, _ = library_inputs("0.25, 0.75; 0.5, 0.5", "1, 0", "")
    >>> inputs.targets.tolist(), inputs.class_weights
    ([1, 0], None)
    >>> [str(p) for p in library_inputs("0.5, 0.5", "-100", "")[1]]
    ['Entry 1: expected a class index from 0 to 1; got -100.']
    """
    p, p_problem = probability_rows(probabilities, PROBABILITIES, MAX_ROWS, MAX_CLASSES)
    c = p.shape[1] if p is not None else MAX_CLASSES
    t, t_problem = class_indices(targets, c, max_entries=MAX_ROWS, box=TARGETS)
    if t is not None and p is not None and t.size != p.shape[0]:
        found, expected = f"{t.size} targets", f"{p.shape[0]}, one per row of P"
        t, t_problem = None, Problem(TARGETS, None, None, found, expected)
    w, w_problem = None, None
    if str(weights or "").strip():
        w, w_problem = parse_class_weights(weights, c, WEIGHTS)
    if w is not None and t is not None and not w[t].sum() > 0:
        found = "weight 0 on every target's class"
        w, w_problem = None, Problem(WEIGHTS, None, None, found, "a weighted mean that is not 0/0")
    problems = tuple(x for x in (p_problem, t_problem, w_problem) if x is not None)
    if problems:
        return None, problems
    return LibraryInputs(p, t, w), ()
