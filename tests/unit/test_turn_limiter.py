"""At most a few turns at once, the others in arrival order (bot/turn_limiter.py)."""
from __future__ import annotations

import asyncio
from typing import List

import pytest

from bot.turn_limiter import bounded, configured_limit


class FakeAgent:
    def __init__(self) -> None:
        self.in_progress = 0
        self.most = 0
        self.started: List[int] = []

    async def handle_message(self, message: int) -> int:
        self.started.append(message)
        self.in_progress += 1
        self.most = max(self.most, self.in_progress)
        await asyncio.sleep(0.01)  # waiting for the action server
        self.in_progress -= 1
        return message


def test_at_most_the_bound_in_progress_and_first_come_first_served() -> None:
    agent = FakeAgent()
    handle = bounded(FakeAgent.handle_message, 3)

    async def many() -> List[int]:
        return await asyncio.gather(*(handle(agent, n) for n in range(12)))

    assert asyncio.run(many()) == list(range(12))  # every message answered
    assert agent.most == 3
    assert agent.started == list(range(12))


def test_the_bound_is_read_from_the_environment() -> None:
    assert configured_limit({}) == 4
    assert configured_limit({"HAVEN_MAX_CONCURRENT_TURNS": "0"}) == 0
    assert configured_limit({"HAVEN_MAX_CONCURRENT_TURNS": " 8 "}) == 8
    with pytest.raises(SystemExit, match="whole number"):
        configured_limit({"HAVEN_MAX_CONCURRENT_TURNS": "-1"})
