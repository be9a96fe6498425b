"""At most a few turns are worked on at once in a Rasa process; the other messages wait in arrival order.

Rasa handles every message the moment it arrives: with 20 people writing at once, 20 turns share one event
loop, and each time a turn waits for the action server (two or three times for a form) it goes to the back of
a queue of the other turns' language models and policies. A turn with three action calls then waited three
times as long as a greeting: under load the slowest twentieth of Haven's turns took twice the average, while
everyone's messages were read in no particular order. With a bound on the turns in progress (a FIFO
semaphore around `Agent.handle_message`, the method every input channel calls), a message waits once, at the
door, in the order it came, and the turns inside have the cores to themselves: the same work, done first
come, first served. The bound (HAVEN_MAX_CONCURRENT_TURNS, default 4; 0 = no bound) is above the two cores so
that one turn's wait for the action server or the database leaves work for the others.

A conversation's own messages still go through Rasa's lock store in order: the lock is taken inside
`handle_message`, so whoever holds a conversation's lock holds a place too, and no message waits for a lock
held by one that is waiting for a place.

The bound never makes Haven silent: turns stuck on a hung action server (Rasa waits up to five minutes for
it) could hold every place, so a message that has waited HAVEN_TURN_WAIT_SECONDS (default 30) is handled
beside them, as Rasa would have, and the wait is logged."""
from __future__ import annotations

import asyncio
import functools
import logging
import os
from typing import Any, Callable, Dict, Optional

logger = logging.getLogger(__name__)
LIMIT_VARIABLE = "HAVEN_MAX_CONCURRENT_TURNS"
DEFAULT_LIMIT = 4
WAIT_VARIABLE = "HAVEN_TURN_WAIT_SECONDS"
DEFAULT_WAIT = 30.0
#: Agent.handle_message as Rasa wrote it, kept to undo install() (tests).
_original: Optional[Callable[..., Any]] = None


def configured_limit(environ: Optional[Dict[str, str]] = None) -> int:
    """The bound from the environment; a value that is not a whole number ≥ 0 is refused with the reason."""
    raw = (environ if environ is not None else os.environ).get(LIMIT_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_LIMIT
    if not raw.isdigit():
        raise SystemExit(f"{LIMIT_VARIABLE} must be a whole number (0 for no bound), not {raw!r}.")
    return int(raw)


def configured_wait(environ: Optional[Dict[str, str]] = None) -> float:
    """The longest wait for a place, in seconds, from the environment (a positive number)."""
    raw = (environ if environ is not None else os.environ).get(WAIT_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_WAIT
    try:
        seconds = float(raw)
    except ValueError:
        seconds = 0.0
    if seconds <= 0:
        raise SystemExit(f"{WAIT_VARIABLE} must be a number of seconds above 0, not {raw!r}.")
    return seconds


async def _place(semaphore: asyncio.Semaphore, max_wait: float) -> bool:
    """Waits in line for a place; False (and no place taken) after `max_wait` seconds."""
    acquiring = asyncio.ensure_future(semaphore.acquire())
    done, _ = await asyncio.wait({acquiring}, timeout=max_wait)
    if done:
        return True
    acquiring.cancel()
    try:
        await acquiring
    except asyncio.CancelledError:
        return False
    semaphore.release()  # the place came as the wait ended: given back, the message goes on beside the others
    return False


def bounded(handle_message: Callable[..., Any], limit: int, max_wait: float = DEFAULT_WAIT) -> Callable[..., Any]:
    """`handle_message` with at most `limit` calls in progress per event loop, the others waiting in order
    (at most `max_wait` seconds, then handled beside them)."""
    semaphores: Dict[int, asyncio.Semaphore] = {}

    @functools.wraps(handle_message)
    async def handle_in_turn(self: Any, message: Any) -> Any:
        loop = id(asyncio.get_running_loop())  # a semaphore belongs to the loop it was made in
        semaphore = semaphores.setdefault(loop, asyncio.Semaphore(limit))
        if not await _place(semaphore, max_wait):
            logger.warning("A message waited %.0f s for one of the %d turns in progress (stuck on the action "
                           "server?); it is handled beside them.", max_wait, limit)
            return await handle_message(self, message)
        try:
            return await handle_message(self, message)
        finally:
            semaphore.release()

    return handle_in_turn


def install(limit: Optional[int] = None) -> None:
    """Bounds `Agent.handle_message` in this process (scripts/serve_rasa.py); 0 leaves Rasa's as it is."""
    global _original
    from rasa.core.agent import Agent

    limit = configured_limit() if limit is None else limit
    if _original is not None or limit <= 0:
        return
    _original = Agent.handle_message
    Agent.handle_message = bounded(_original, limit, configured_wait())  # type: ignore[method-assign]
    logger.info("At most %d turns are worked on at once; other messages wait in arrival order.", limit)


def uninstall() -> None:
    global _original
    from rasa.core.agent import Agent

    if _original is not None:
        Agent.handle_message = _original  # type: ignore[method-assign]
        _original = None
