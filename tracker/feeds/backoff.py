"""How long a failing feed waits before its next poll: exponential back-off with jitter."""

from __future__ import annotations

import random

FIRST_DELAY = 15 * 60.0
MAX_DELAY = 24 * 60 * 60.0
JITTER = 0.10
# 15 min x 2**7 is past 24 h; stopping the exponent here keeps 2**n small for huge n.
_MAX_DOUBLINGS = 7


def backoff_delay(failures: int, *, rng: random.Random | None = None) -> float:
    """Seconds to wait after `failures` failures in a row: min(15 min x 2**(n-1), 24 h) +-10%."""
    if failures < 1:
        raise ValueError(f"failures must be at least 1, got {failures}")
    base = min(FIRST_DELAY * 2 ** min(failures - 1, _MAX_DOUBLINGS), MAX_DELAY)
    # At the cap the jitter only shortens the wait, so a failing feed is retried at
    # least once a day (never put off for good) while feeds that failed together
    # still spread out instead of all retrying in the same second.
    high = 1.0 if base >= MAX_DELAY else 1.0 + JITTER
    return float(base * (rng or random).uniform(1.0 - JITTER, high))
