"""Login throttling for the hotline console without lockout abuse (issue 18, item 9).

A hard lock ("5 wrong passwords and the account is closed") lets anyone lock an agent out from anywhere.
Here failures are counted per (account, address) and per address, and each count past a few free tries
makes the next attempt wait twice as long as the one before (capped). Someone hammering an account from
one address only slows themselves down; the agent logging in from their own address is not affected.

The counts live in this process's memory: they are lost on restart, and with several web app processes
each one keeps its own (an attacker then gets a few more tries per process, never a way to lock anyone
out). Counts are forgotten FORGET_SECONDS after a key's last failure."""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable, Dict, Iterator, Tuple

#: Failures allowed without any delay, per (account, address) and per address (an office behind one
#: address has several agents, so the address gets more).
FREE_PER_ACCOUNT_AND_ADDRESS = 3
FREE_PER_ADDRESS = 10
#: The first delay; every further failure doubles it, up to MAX_DELAY_SECONDS.
BASE_DELAY_SECONDS = 2.0
MAX_DELAY_SECONDS = 15 * 60
FORGET_SECONDS = 3600
#: Past this many remembered keys the oldest are dropped, so random usernames cannot fill the memory.
MAX_KEYS = 10_000


@dataclass
class _Failures:
    count: int
    last: float


class LoginThrottle:
    """How long a login from (username, address) must wait; what failed and what succeeded."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.failures: Dict[Tuple[str, ...], _Failures] = {}
        self.swept = clock()

    @staticmethod
    def _keys(username: str, address: str) -> Iterator[Tuple[Tuple[str, ...], int]]:
        yield ("account", username.strip().lower(), address), FREE_PER_ACCOUNT_AND_ADDRESS
        yield ("address", address), FREE_PER_ADDRESS

    @staticmethod
    def delay(count: int, free: int) -> float:
        """Seconds to wait after `count` failures: none for the first `free`, then 2 s, 4 s, 8 s ..."""
        if count < free:
            return 0.0
        return min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2 ** min(count - free, 32))

    def retry_after(self, username: str, address: str) -> int:
        """Whole seconds before this login may be tried; 0 when it may be tried now."""
        now, wait = self.clock(), 0.0
        for key, free in self._keys(username, address):
            failures = self.failures.get(key)
            if failures is None:
                continue
            if now - failures.last > FORGET_SECONDS:
                del self.failures[key]
                continue
            wait = max(wait, failures.last + self.delay(failures.count, free) - now)
        return math.ceil(wait) if wait > 0 else 0

    def failed(self, username: str, address: str) -> None:
        now = self.clock()
        for key, _ in self._keys(username, address):
            failures = self.failures.get(key)
            if failures is None or now - failures.last > FORGET_SECONDS:
                failures = self.failures[key] = _Failures(0, now)
            failures.count, failures.last = failures.count + 1, now
        self._prune(now)

    def succeeded(self, username: str, address: str) -> None:
        """The account's count from this address starts again; the address's count is kept, so a valid
        account of one's own cannot wipe the failures one made against others."""
        self.failures.pop(next(self._keys(username, address))[0], None)

    def _prune(self, now: float) -> None:
        """Forgotten keys go at most once per FORGET_SECONDS (or when there are too many); the oldest keys
        go if there are still too many."""
        if len(self.failures) <= MAX_KEYS and now - self.swept <= FORGET_SECONDS:
            return
        self.swept = now
        for key in [k for k, f in self.failures.items() if now - f.last > FORGET_SECONDS]:
            del self.failures[key]
        for key in sorted(self.failures, key=lambda k: self.failures[k].last)[:len(self.failures) - MAX_KEYS]:
            del self.failures[key]
