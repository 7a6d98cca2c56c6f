"""Token buckets that keep the sender under Meta's throughput limits.

Staying under the limits is cheaper than being told (130429 / 131056): each refusal costs a
round trip and a backoff, and repeated ones can get the number rate-limited harder.
"""

from __future__ import annotations

import time
from collections.abc import Callable

Clock = Callable[[], float]


class TokenBucket:
    def __init__(self, rate: float, burst: float, clock: Clock = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = burst
        self._stamp = clock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def try_take(self) -> bool:
        self._refill()
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False

    def wait_time(self) -> float:
        """Seconds until one token is available."""
        self._refill()
        if self._tokens >= 1.0:
            return 0.0
        return (1.0 - self._tokens) / self.rate if self.rate > 0 else float("inf")

    @property
    def full(self) -> bool:
        self._refill()
        return self._tokens >= self.burst


class Throttle:
    """An overall bucket plus one bucket per recipient (created on demand, dropped when full)."""

    def __init__(
        self,
        rate_per_second: float,
        recipient_interval: float,
        recipient_burst: int,
        clock: Clock = time.monotonic,
    ) -> None:
        self._clock = clock
        self.overall = TokenBucket(rate_per_second, max(1.0, rate_per_second), clock)
        # interval 0 disables the per-recipient limit (tests, or a number Meta has raised).
        self._recipient_rate = 1.0 / recipient_interval if recipient_interval > 0 else 0.0
        self._recipient_burst = float(recipient_burst)
        self._recipients: dict[str, TokenBucket] = {}
        self._paused_until = 0.0

    def pause(self, seconds: float) -> None:
        """Stop everything for a while (Meta said 130429: we are over the number's limit)."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    def paused_for(self) -> float:
        return max(0.0, self._paused_until - self._clock())

    def recipient_wait(self, recipient: str) -> float:
        if self._recipient_rate == 0.0:
            return 0.0
        bucket = self._recipients.get(recipient)
        return bucket.wait_time() if bucket else 0.0

    def try_acquire(self, recipient: str) -> bool:
        """Take one send slot for `recipient`, or none at all if either bucket is empty."""
        if self.paused_for() > 0 or self.recipient_wait(recipient) > 0:
            return False
        if not self.overall.try_take():
            return False
        if self._recipient_rate > 0.0:
            bucket = self._recipients.get(recipient)
            if bucket is None:
                bucket = TokenBucket(self._recipient_rate, self._recipient_burst, self._clock)
                self._recipients[recipient] = bucket
            bucket.try_take()
        return True

    def prune(self) -> None:
        """Forget recipients whose bucket refilled; they would start full anyway."""
        for recipient in [r for r, b in self._recipients.items() if b.full]:
            del self._recipients[recipient]
