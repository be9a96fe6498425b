"""A bounded load generator for Rasa's REST webhook: virtual users each hold whole conversations (one turn
after the other, as a person does), on loopback only, until a number of turns or a time limit is reached.

Both bots of `make bench` (Haven and the stock `rasa init` bot) get exactly this generator."""
from __future__ import annotations

import asyncio
import itertools
import statistics
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence
from urllib.parse import urlsplit

import aiohttp

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass
class LoadResult:
    users: int
    latencies: List[float] = field(default_factory=list)  # seconds, one per answered turn
    errors: int = 0
    seconds: float = 0.0

    def percentile(self, p: float) -> Optional[float]:
        if not self.latencies:
            return None
        if len(self.latencies) == 1:
            return self.latencies[0]
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[int(p) - 1]

    @property
    def throughput(self) -> float:
        """Answered turns per second."""
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def summary(self) -> Dict[str, object]:
        ms = lambda v: round(v * 1000, 1) if v is not None else None  # noqa: E731
        return {"users": self.users, "turns": len(self.latencies), "errors": self.errors,
                "seconds": round(self.seconds, 2), "throughput_per_s": round(self.throughput, 2),
                "p50_ms": ms(self.percentile(50)), "p95_ms": ms(self.percentile(95)),
                "p99_ms": ms(self.percentile(99))}


def check_loopback(url: str) -> None:
    host = urlsplit(url).hostname
    if host not in LOOPBACK:
        raise ValueError(f"the benchmark only sends traffic to loopback, not to {host}")


async def run_load(url: str, conversations: Sequence[Sequence[str]], users: int, max_turns: int,
                   max_seconds: float, headers: Optional[Dict[str, str]] = None, sender_prefix: str = "bench",
                   warm_up: int = 0) -> LoadResult:
    """`users` virtual users, each taking the next conversation when one ends, until `max_turns` turns were
    sent or `max_seconds` passed (turns in flight then are finished and counted). The first `warm_up` turns
    are sent before the clock starts and are not counted."""
    check_loopback(url)
    result = LoadResult(users=users)
    scripts = itertools.cycle(conversations)
    numbering = itertools.count()
    budget = {"turns": max_turns}
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(headers=headers or {}, timeout=timeout) as session:
        for turn in range(warm_up):
            await _send(session, url, f"{sender_prefix}-warm-{turn}", conversations[turn % len(conversations)][0])
        started = time.perf_counter()
        deadline = started + max_seconds

        async def user() -> None:
            while time.perf_counter() < deadline:
                sender = f"{sender_prefix}-{users}-{next(numbering)}"
                for text in next(scripts):
                    if budget["turns"] <= 0 or time.perf_counter() >= deadline:
                        return
                    budget["turns"] -= 1
                    sent = time.perf_counter()
                    if await _send(session, url, sender, text):
                        result.latencies.append(time.perf_counter() - sent)
                    else:
                        result.errors += 1

        await asyncio.gather(*(user() for _ in range(users)))
        result.seconds = time.perf_counter() - started
    return result


async def _send(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> bool:
    """True when the bot answered (HTTP 200 with at least one message)."""
    try:
        async with session.post(url, json={"sender": sender, "message": text}) as reply:
            return reply.status == 200 and bool(await reply.json())
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
        return False
