"""How long a rerun must wait so that a session keeps to a pace: a token bucket, time passed in.

The generic cell rate algorithm: one number, the time at which the bucket will be full again,
stands for the tokens left. A run may start when at most `burst` runs' worth of time is owed.
"""

from __future__ import annotations

__all__ = ["Pacer"]


class Pacer:
    """At most `burst` runs at once, then `rate` runs a second.

    >>> pacer = Pacer(rate=2.0, burst=3)
    >>> [pacer.wait(now=0.0) for _ in range(5)]
    [0.0, 0.0, 0.0, 0.5, 1.0]
    >>> pacer = Pacer(rate=2.0, burst=3)
    >>> [pacer.wait(now=t) for t in (0.0, 0.0, 0.0, 0.5, 10.0)]
    [0.0, 0.0, 0.0, 0.0, 0.0]
    """

    def __init__(self, rate: float, burst: int) -> None:
        if not rate > 0 or not isinstance(burst, int) or burst < 1:
            raise ValueError(
                f"rate must be > 0 and burst a whole number ≥ 1; got rate={rate!r}, burst={burst!r}"
            )
        self.interval, self.burst = 1.0 / rate, burst
        self._full_at = float("-inf")  # when the bucket is full again

    def wait(self, now: float) -> float:
        """Seconds until a run asked for at `now` may start; the run is counted as started then.

        Runs of one session come one after another, so after the burst each waits at most one
        interval.
        """
        start = max(now, self._full_at - (self.burst - 1) * self.interval)
        self._full_at = max(self._full_at, start) + self.interval
        return start - now
