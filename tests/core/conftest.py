"""Fixtures shared by the core tests of several modules."""

from __future__ import annotations

import pytest
from core_helpers import random_case

import xentcore
from xentcore._pool import BLOCK_ELEMENTS, PARALLEL_MIN_ELEMENTS


@pytest.fixture(scope="session")
def threaded_case():
    """(logits, labels, their analyse_scores): 1 500 × 700 float32, large enough to cross block
    boundaries and take the threads. The analysis's arrays are read-only: safe to share."""
    logits, labels = random_case(1_500, 700)
    assert logits.size > max(2 * BLOCK_ELEMENTS, PARALLEL_MIN_ELEMENTS)
    return logits, labels, xentcore.analyse_scores(logits, labels)
