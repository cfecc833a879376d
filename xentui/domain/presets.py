"""The scenarios the app ships: the default, the presets from the seed documents, random draws.

Each one is built as a draft and passes `check_scenario`, the door every other scenario goes
through, so a preset can never hold what an editor or a link would refuse.
"""

from __future__ import annotations

import math

import numpy as np

from xentui.domain.limits import MAX_CLASSES, MAX_SAMPLES, SPREAD_RANGE
from xentui.domain.scenario import Scenario
from xentui.domain.validation import Checked, check_scenario, finite_number
from xentui.kit.problems import Problem, quote

__all__ = ["DEFAULT_SCENARIO", "PRESETS", "RANDOM", "check_random", "random_scenario"]

RANDOM = "random"  # the input a problem of the "Random" controls belongs to


def _preset(**draft: object) -> Scenario:
    """The scenario of a draft the app itself wrote; a refused one is a bug, said at import."""
    checked = check_scenario(draft)
    if checked.scenario is None:
        lines = [f"preset {draft.get('title')!r} is refused:", *map(str, checked.problems)]
        raise ValueError("\n".join(lines))
    return checked.scenario


def _from_probabilities(probs: list[list[float]]) -> tuple[tuple[float, ...], ...]:
    """Logits whose softmax is exactly `probs`: log p (a zero probability would need −inf)."""
    return tuple(tuple(math.log(p) for p in row) for row in probs)


DEFAULT_SCENARIO = _preset(
    title="Walkthrough: cat, dog, pig",
    classes=("cat", "dog", "pig"),
    logits=((1, 2, 3), (2, 4, 6)),
    targets=(0, 2),
)

PRESETS: dict[str, Scenario] = {
    "Walkthrough: cat, dog, pig (mean 1.2753)": DEFAULT_SCENARIO,
    "PyTorch explainer: confident and right (0.0037)": _preset(
        title="PyTorch explainer: 4 outputs, target class 3",
        classes=("class 0", "class 1", "class 2", "class 3"),
        logits=((4, 3, 2, 10),),
        targets=(3,),
        reduction="none",
    ),
    "PyTorch explainer: confident and wrong (16.0)": _preset(
        title="PyTorch explainer: the highest logit is not the target",
        classes=("class 0", "class 1", "class 2", "class 3"),
        logits=((20, 2, 3, 4),),
        targets=(3,),
        reduction="none",
    ),
    "PyTorch explainer: (1, 4, 2) output, one row per position": _preset(
        title="PyTorch explainer: a 1×4×2 output; each row is one of the 2 positions",
        classes=("class 0", "class 1", "class 2", "class 3"),
        logits=((4, 3, 2, 10), (10, 2, 3, 4)),
        targets=(3, 1),
        reduction="none",
    ),
    "PyTorch explainer: (2, 4, 2) output, one row per position": _preset(
        title="PyTorch explainer: a 2×4×2 output; rows are (sample, position) pairs",
        classes=("class 0", "class 1", "class 2", "class 3"),
        logits=((4, 3, 2, 2), (4, 3, 2, 20), (20, 3, 2, 10), (20, 3, 2, 10)),
        targets=(3, 3, 0, 0),
        reduction="none",
    ),
    "Notebook: one sample, good prediction (0.4170)": _preset(
        title="NumPy vs PyTorch notebook: good logits",
        classes=("class 0", "class 1", "class 2"),
        logits=((2.0, 1.0, 0.1),),
        targets=(0,),
    ),
    "Notebook: one sample, bad prediction (1.8406)": _preset(
        title="NumPy vs PyTorch notebook: bad logits",
        classes=("class 0", "class 1", "class 2"),
        logits=((0.5, 2.0, 0.3),),
        targets=(0,),
    ),
    "Notebook: three samples, good predictions (0.3018)": _preset(
        title="NumPy vs PyTorch notebook: three samples, good logits",
        classes=("class 0", "class 1", "class 2"),
        logits=((0.1, 1.0, 2.1), (2.0, 1.0, 0.1), (0.1, 3.0, 0.1)),
        targets=(2, 0, 1),
    ),
    "Notebook: three samples, bad predictions (1.6242)": _preset(
        title="NumPy vs PyTorch notebook: three samples, bad logits",
        classes=("class 0", "class 1", "class 2"),
        logits=((2.1, 1.0, 0.1), (0.1, 1.0, 2.1), (0.1, 3.0, 0.1)),
        targets=(2, 0, 1),
    ),
    "Notebook: from probabilities [0.7, 0.2, 0.1] and [0.1, 0.3, 0.6] (0.3567, 2.3026)": _preset(
        title="NumPy vs PyTorch notebook: probabilities in, logits = log p",
        classes=("class 0", "class 1", "class 2"),
        logits=_from_probabilities([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]]),
        targets=(0, 0),
        reduction="none",
        precision="float64",
    ),
    "Walkthrough: reference answer 0.71355817782": _preset(
        title="Walkthrough: predictions [0.25]*4 and [0.01, 0.01, 0.02, 0.96], target class 3",
        classes=("class 0", "class 1", "class 2", "class 3"),
        # The seed's second row [0.01, 0.01, 0.01, 0.96] sums to 0.99, which softmax would rescale
        # (p = 0.9697, mean 0.7085). Its answer only uses p(target) = 0.96, so the missing 0.01
        # goes to a wrong class and the row sums to 1.
        logits=_from_probabilities([[0.25, 0.25, 0.25, 0.25], [0.01, 0.01, 0.02, 0.96]]),
        targets=(3, 3),
        precision="float64",
    ),
    "Walkthrough: binary, prediction [0.01, 0.99] (0.01005034)": _preset(
        title="Walkthrough: target [0, 1] (dog), prediction [0.01, 0.99]",
        classes=("cat", "dog"),
        logits=_from_probabilities([[0.01, 0.99]]),
        targets=(1,),
        precision="float64",
    ),
}


def check_random(
    num_samples: object,
    num_classes: object,
    seed: object,
    spread: object,
    classes: tuple[str, ...] = (),
) -> Checked:
    """Logits drawn from N(0, spread²) and uniformly random targets, reproducible from the seed.

    Each argument is checked as the "Random" controls give it (a problem names the control);
    `classes` names the classes when there are `num_classes` of them, else "class 0", "class 1"…

    >>> check_random(2, 3, 0, 1.0).scenario.num_classes
    3
    >>> [str(p) for p in check_random(0, 3, 0, 1.0).problems]
    ['Samples: expected a whole number from 1 to 64; got 0.']
    """
    problems = [
        Problem(
            RANDOM,
            None,
            label.lower(),
            quote(value, 20),
            f"a whole number from {low} to {high}",
            label,
        )
        for value, label, low, high in (
            (num_samples, "Samples", 1, MAX_SAMPLES),
            (num_classes, "Classes", 2, MAX_CLASSES),
            (seed, "Seed", 0, 2**32 - 1),
        )
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high
    ]
    low, high = SPREAD_RANGE
    if finite_number(spread, low, high)[1] is not None or isinstance(spread, str):
        expected = f"a number in [{low:g}, {high:g}]"
        problems.append(Problem(RANDOM, None, "spread", quote(spread, 20), expected, "Spread"))
    if problems:
        return Checked(None, tuple(problems))
    rng = np.random.default_rng(seed)
    logits = np.round(rng.normal(0.0, spread, size=(num_samples, num_classes)), 2)
    names = (
        list(classes) if len(classes) == num_classes else [f"class {c}" for c in range(num_classes)]
    )
    return check_scenario(
        {
            "title": f"Random: seed {seed}, spread {spread:g}",
            "classes": names,
            "logits": logits.tolist(),
            "targets": rng.integers(0, num_classes, size=num_samples).tolist(),
        }
    )


def random_scenario(
    num_samples: int, num_classes: int, seed: int, spread: float, classes: tuple[str, ...] = ()
) -> Scenario:
    """`check_random`'s scenario; ValueError, naming each problem, for arguments it refuses."""
    checked = check_random(num_samples, num_classes, seed, spread, classes)
    if checked.scenario is None:
        raise ValueError("; ".join(str(p) for p in checked.problems))
    return checked.scenario
