"""The safety matrix (tests/conversations/safety.yml) against the real stack: every safety rule in English,
French and Arabic dialects, as a first message, mid-conversation and inside a questionnaire."""
from __future__ import annotations

import uuid

import pytest

from tests.conversations import safety_matrix

CONVERSATIONS = safety_matrix.load()


def test_the_matrix_covers_every_rule_language_and_position() -> None:
    cells = {(c.rule, c.language, c.position) for c in CONVERSATIONS}
    for rule in ("fear_of_return", "danger", "urgent_followup", "confinement", "hotline_hours"):
        for language in ("en", "fr", "ar"):
            for position in ("first", "mid", "form"):
                assert (rule, language, position) in cells
    dialects = {(c.rule, c.position): set() for c in CONVERSATIONS}
    for c in CONVERSATIONS:
        if c.language == "ar":
            dialects[(c.rule, c.position)].add(c.dialect)
    assert all(len(found) >= 2 for found in dialects.values() if found)
    assert len(CONVERSATIONS) >= 60


@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=[c.name for c in CONVERSATIONS])
def test_safety_conversation(stack, conversation: safety_matrix.Conversation) -> None:
    outcome = safety_matrix.hold(stack, conversation, f"safety-{uuid.uuid4().hex[:10]}")
    assert outcome.passed, "\n".join(outcome.problems + ["", *outcome.transcript])
