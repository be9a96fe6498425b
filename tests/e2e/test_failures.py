"""The user is never met with silence: the action server or the database going down mid-conversation."""
from __future__ import annotations

from pathlib import Path


def test_action_server_stopped_mid_conversation(stack, user):
    assert "Haven" in stack.say(user, "hi")
    stack.stop("actions")
    try:
        answer = stack.say(user, "is there a shelter in Benghazi")
        assert "not working right now" in answer and "talk to a person" in answer.lower()
    finally:
        stack.start_actions()
    assert "Benghazi" in stack.say(user, "is there a shelter in Benghazi")


def test_database_down_gets_an_apology_and_a_person(stack, user, tmp_path: Path):
    stack.stop("actions")
    try:
        stack.start_actions(database_url=f"sqlite:///{tmp_path / 'missing' / 'nothing.db'}")
        answer = stack.say(user, "I need a clinic in Cairo")
        assert "not working right now" in answer
        assert stack.tracker(user)["slots"]["handoff_requested"] is True
    finally:
        stack.stop("actions")
        stack.start_actions()
