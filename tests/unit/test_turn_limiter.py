"""At most a few turns at once, the others in arrival order (bot/turn_limiter.py)."""
from __future__ import annotations

import asyncio
from typing import List

import pytest

from bot.turn_limiter import bounded, configured_limit, configured_wait


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


def test_turns_stuck_on_a_hung_action_server_never_silence_the_others() -> None:
    agent = FakeAgent()

    async def stuck(self: FakeAgent, message: int) -> int:
        if message < 2:
            await asyncio.sleep(3600)  # the action server never answers
        return await FakeAgent.handle_message(self, message)

    handle = bounded(stuck, 2, max_wait=0.05)

    async def scenario() -> int:
        hung = [asyncio.ensure_future(handle(agent, n)) for n in range(2)]
        await asyncio.sleep(0.01)
        answered = await asyncio.wait_for(handle(agent, 7), timeout=2)  # waited 0.05 s, then handled
        for task in hung:
            task.cancel()
        await asyncio.gather(*hung, return_exceptions=True)
        again = await asyncio.wait_for(handle(agent, 8), timeout=2)  # the stuck turns' places came back
        return answered + again

    assert asyncio.run(scenario()) == 15


def test_the_longest_wait_is_read_from_the_environment() -> None:
    assert configured_wait({}) == 30.0
    assert configured_wait({"HAVEN_TURN_WAIT_SECONDS": "2.5"}) == 2.5
    with pytest.raises(SystemExit, match="seconds"):
        configured_wait({"HAVEN_TURN_WAIT_SECONDS": "soon"})
