"""A health question gets the emergency numbers before anything else: it may be an emergency in disguise."""
import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.health import ActionHealth


def asking(text: str, language: str = "en") -> Tracker:
    return Tracker("someone", {"language": language},
                   {"text": text, "intent": {"name": "ask_health", "confidence": 0.9}, "entities": []}, [], False,
                   None, {}, "action_listen")


def run(tracker: Tracker):
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionHealth().run(dispatcher, tracker, {}))
    return dispatcher.messages


def test_the_numbers_for_the_town_named_come_first(session):
    first, second = run(asking("my son is very sick, we are in Cairo"))
    assert first["text"].startswith("If someone is badly hurt")
    assert "ambulance 123" in first["text"]
    assert second["response"] == "utter_health"


def test_in_arabic_with_no_town_every_host_country_is_listed(session):
    first, second = run(asking("طفلي ما عم يتنفس", "ar"))
    assert first["text"].startswith("إذا كان أحد مصاباً")
    assert "الإسعاف 140" in first["text"] and "الإسعاف 123" in first["text"]
    assert second["response"] == "utter_health"


def test_with_the_directory_down_the_health_answer_still_comes(tmp_path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("HAVEN_DATABASE_URL", f"sqlite:///{tmp_path}/missing/directory.db")
    assert [m["response"] for m in run(asking("I need a doctor"))] == ["utter_health"]
