"""The pace a session keeps: at most a burst at once, then the rate; a person never waits."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xentui.domain.limits import RERUN_BURST, RERUNS_PER_SECOND
from xentui.kit.pacing import Pacer

gaps = st.lists(st.floats(0, 5, allow_nan=False), min_size=1, max_size=200)


def _starts(pacer: Pacer, gaps: list[float]) -> list[float]:
    """When each run starts, for runs asked for `gaps` apart after the previous one started."""
    now, starts = 0.0, []
    for gap in gaps:
        now += gap
        now += pacer.wait(now)  # the run waits its turn, as the session's thread does
        starts.append(now)
    return starts


@given(gaps, st.floats(0.5, 20), st.integers(1, 40))
def test_no_window_holds_more_than_the_burst_and_the_rate(gaps, rate, burst):
    starts = _starts(Pacer(rate, burst), gaps)
    for i, first in enumerate(starts):
        for j in range(i, len(starts)):
            assert j - i + 1 <= burst + rate * (starts[j] - first) + 1e-6


@given(st.lists(st.floats(1 / RERUNS_PER_SECOND, 30, allow_nan=False), max_size=100))
def test_a_session_within_the_rate_never_waits(gaps):
    pacer = Pacer(RERUNS_PER_SECOND, RERUN_BURST)
    now = 0.0
    for gap in gaps:
        now += gap
        assert pacer.wait(now) == 0


def test_a_flurry_up_to_the_burst_starts_at_once_and_the_next_waits_one_interval():
    pacer = Pacer(RERUNS_PER_SECOND, RERUN_BURST)
    assert [pacer.wait(0.0) for _ in range(RERUN_BURST)] == [0.0] * RERUN_BURST
    assert pacer.wait(0.0) == pytest.approx(1 / RERUNS_PER_SECOND)


@pytest.mark.parametrize("rate, burst", [(0, 5), (-1, 5), (float("nan"), 5), (2, 0), (2, 1.5)])
def test_a_bad_pace_is_refused_by_name(rate, burst):
    with pytest.raises(ValueError) as refusal:
        Pacer(rate, burst)
    assert str(refusal.value) == (
        f"rate must be > 0 and burst a whole number ≥ 1; got rate={rate!r}, burst={burst!r}"
    )
