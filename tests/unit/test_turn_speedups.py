"""The per-turn savings keep Rasa's behaviour: the action server's answers are checked exactly as before, the
guard reads the tracker of its own turn only, the REST hotline relay finds the same messages."""
from __future__ import annotations

import asyncio
from typing import Tuple
from unittest import mock

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import action_response_validation
from bot.channels.hotline_relay import undelivered_hotline_messages
from bot.tracker_store import RememberingSQLTrackerStore, just_saved

GOOD = {"events": [{"event": "slot", "name": "city", "value": "Sabha"}], "responses": [{"text": "hi"}]}
BAD = {"events": [{"event": "slot", "name": "city", "value": "Sabha", "timestamp": "yesterday"}], "responses": "hi"}


@pytest.fixture
def compiled_check():
    action_response_validation.install()
    yield
    action_response_validation.uninstall()


def rasa_error(result: dict) -> str:
    action_response_validation.uninstall()
    try:
        RemoteAction("action_x", None)._validate_action_result(result)
    except jsonschema.ValidationError as error:
        return error.message
    finally:
        action_response_validation.install()
    return ""


def test_the_compiled_check_accepts_and_rejects_what_rasas_does(compiled_check) -> None:
    action = RemoteAction("action_x", None)
    assert action._validate_action_result(GOOD) is True
    expected = rasa_error(BAD)
    with pytest.raises(jsonschema.ValidationError) as raised:
        action._validate_action_result(BAD)
    assert raised.value.message == expected and "custom-actions" in expected


def test_the_schema_is_checked_once_not_per_call(compiled_check) -> None:
    validator_class = type(action_response_validation.compiled_validator())
    with mock.patch.object(validator_class, "check_schema") as check_schema:
        for _ in range(5):
            RemoteAction("action_x", None)._validate_action_result(GOOD)
    check_schema.assert_not_called()


def turn(tracker: DialogueStateTracker, text: str, message_id: str, channel: str = "rest") -> None:
    tracker.update(UserUttered(text, message_id=message_id, input_channel=channel))
    tracker.update(ActionExecuted("utter_greet"))
    tracker.update(BotUttered("hello"))
    tracker.update(ActionExecuted("action_listen"))


def test_the_store_hands_over_the_tracker_of_that_message_once(tmp_path) -> None:
    store = RememberingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    tracker = DialogueStateTracker("rest-amal", [])
    turn(tracker, "hi", "m1")
    asyncio.run(store.save(tracker))
    assert just_saved(store, "rest-amal", "other-message") is None  # not its turn: read the database
    asyncio.run(store.save(tracker))
    assert just_saved(store, "rest-amal", "m1") is tracker
    assert just_saved(store, "rest-amal", "m1") is None  # taken once
    assert asyncio.run(store.retrieve("rest-amal")).latest_message.message_id == "m1"


def test_hotline_messages_sent_before_the_users_message_are_relayed() -> None:
    tracker = DialogueStateTracker("rest-amal", [])
    turn(tracker, "hi", "m1")
    tracker.update(BotUttered("I am Sara from the hotline", metadata={"hotline": True, "agent": "Sara"}))
    waiting_before = undelivered_hotline_messages(tracker, "rest")
    turn(tracker, "thank you", "m2")
    after_turn = undelivered_hotline_messages(tracker, "rest", "m2")
    assert waiting_before == after_turn == [{"text": "I am Sara from the hotline", "from_hotline": True,
                                              "agent": "Sara"}]
    turn(tracker, "ok", "m3")
    assert undelivered_hotline_messages(tracker, "rest", "m3") == []  # delivered with m2's answer


def test_no_relay_to_a_user_who_last_wrote_on_another_channel() -> None:
    tracker = DialogueStateTracker("web-x", [])
    turn(tracker, "hi", "m1", channel="socketio")
    tracker.update(BotUttered("from the hotline", metadata={"hotline": True}))
    turn(tracker, "hi", "m2")
    assert undelivered_hotline_messages(tracker, "rest", "m2") == []


def saved_conversation(tmp_path, sender: str = "rest-amal") -> Tuple[RememberingSQLTrackerStore, DialogueStateTracker]:
    store = RememberingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    tracker = DialogueStateTracker(sender, [])
    turn(tracker, "hi", "m1")
    asyncio.run(store.save(tracker))
    return store, tracker


def test_the_next_message_gets_the_saved_tracker_without_reading_it_back(tmp_path) -> None:
    store, tracker = saved_conversation(tmp_path)
    with mock.patch.object(SQLTrackerStore, "retrieve") as read_back:
        assert asyncio.run(store.retrieve("rest-amal")) is tracker
    read_back.assert_not_called()
    again = asyncio.run(store.retrieve("rest-amal"))  # handed over once: a second caller reads the database
    assert again is not tracker and [e.as_dict() for e in again.events] == [e.as_dict() for e in tracker.events]


def test_a_conversation_erased_by_another_process_is_not_brought_back(tmp_path) -> None:
    store, _ = saved_conversation(tmp_path)
    other = RememberingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    with other.session_scope() as session:  # as hotline.erasure does, from its own process
        session.query(other.SQLEvent).filter(other.SQLEvent.sender_id == "rest-amal").delete()
        session.commit()
    assert asyncio.run(store.retrieve("rest-amal")) is None


def test_events_written_by_another_instance_are_read(tmp_path) -> None:
    store, _ = saved_conversation(tmp_path)
    other = RememberingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    theirs = asyncio.run(other.retrieve("rest-amal"))
    turn(theirs, "are you there?", "m2")
    asyncio.run(other.save(theirs))
    assert asyncio.run(store.retrieve("rest-amal")).latest_message.message_id == "m2"


def test_a_tracker_that_started_a_new_session_is_read_back(tmp_path) -> None:
    store, tracker = saved_conversation(tmp_path)
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    turn(tracker, "hello again", "m2")
    asyncio.run(store.save(tracker))
    resumed = asyncio.run(store.retrieve("rest-amal"))
    assert resumed is not tracker and resumed.latest_message.message_id == "m2"
    assert not any(isinstance(e, UserUttered) and e.message_id == "m1" for e in resumed.events)
