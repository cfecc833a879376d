"""The example data set: a seeded simulation of an over-confident 10-class classifier.

How it is made, so that the page has something true to find:

1. each sample gets a latent class and "honest" logits z: N(0, 1) noise, +2.5 on the latent
   class, and +1.5 on its look-alike (cat/dog, automobile/truck, deer/horse are confusable);
2. its label is *drawn* from softmax(z). So softmax(z) is exactly calibrated: among samples
   given probability 0.8 for a class, 80 % have that label, by construction;
3. the model reports OVERCONFIDENCE · z. Its probabilities are too sharp, and temperature scaling
   should find T ≈ OVERCONFIDENCE, which brings the ECE back to about 0.
"""

from __future__ import annotations

import numpy as np

from xentcore import softmax
from xentui.your_model.upload import ModelData

__all__ = ["EXAMPLE_CLASSES", "EXAMPLE_NAME", "OVERCONFIDENCE", "example_data"]

EXAMPLE_CLASSES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)
OVERCONFIDENCE = 2.5
EXAMPLE_NAME = "Example: an over-confident classifier (simulated, seed 0)"
_SIGNAL, _LOOKALIKE_SIGNAL = 2.5, 1.5
_LOOKALIKES = {
    "cat": "dog",
    "dog": "cat",
    "automobile": "truck",
    "truck": "automobile",
    "deer": "horse",
    "horse": "deer",
}


def example_data(num_samples: int = 20_000, seed: int = 0) -> ModelData:
    """Logits (float32) and labels of the simulated classifier; the same for the same seed.

    >>> data = example_data(1_000)
    >>> data.scores.shape, data.scores.dtype.name, data.class_names[3]
    ((1000, 10), 'float32', 'cat')
    """
    rng = np.random.default_rng(seed)
    num_classes = len(EXAMPLE_CLASSES)
    rows = np.arange(num_samples)
    latent = rng.integers(0, num_classes, num_samples)
    honest = rng.standard_normal((num_samples, num_classes))
    honest[rows, latent] += _SIGNAL
    lookalike = np.array(
        [EXAMPLE_CLASSES.index(_LOOKALIKES.get(name, name)) for name in EXAMPLE_CLASSES]
    )
    has_lookalike = lookalike[latent] != latent
    honest[rows[has_lookalike], lookalike[latent[has_lookalike]]] += _LOOKALIKE_SIGNAL
    # Draw each label from softmax(honest): inverse-CDF sampling, one uniform number per sample.
    cumulative = np.cumsum(softmax(honest), axis=1)
    labels = (cumulative < rng.random(num_samples)[:, None]).sum(axis=1)
    labels = np.minimum(labels, num_classes - 1)  # a uniform draw above a rounded-down total
    scores = (OVERCONFIDENCE * honest).astype(np.float32)
    scores.flags.writeable = False
    return ModelData(
        scores=scores,
        labels=labels.astype(np.int32),
        class_names=EXAMPLE_CLASSES,
        source=EXAMPLE_NAME,
    )
