"""When the actions are down, the channel records the handoff and gives the numbers (issue 18, item 7)."""
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels import fallback_handoff
from hotline.db import session_scope
from hotline.models import HandoffRequest

DOMAIN = Domain.load(str(Path(__file__).resolve().parents[2] / "domain.yml"))


def tracker_after(intent: str, action: str, *slots: SlotSet) -> DialogueStateTracker:
    tracker = DialogueStateTracker("rest-someone", DOMAIN.slots)
    for event in [*slots, UserUttered("help", intent={"name": intent, "confidence": 0.99}), ActionExecuted(action),
                  ActionExecuted("action_listen")]:
        tracker.update(event)
    return tracker


@pytest.mark.parametrize("intent,action,reason", [("emergency", "action_emergency", "emergency"),
                                                  ("request_human", "action_request_human", "asked_for_person"),
                                                  ("report_exploitation", "action_report_exploitation",
                                                   "exploitation")])
def test_a_failed_request_for_a_person_names_its_reason(intent, action, reason):
    tracker = tracker_after(intent, action)
    assert fallback_handoff.handoff_reason(tracker, [action]) == reason


def test_other_failures_ask_for_nobody():
    tracker = tracker_after("find_support_center", "action_find_centres")
    assert fallback_handoff.handoff_reason(tracker, ["action_find_centres"]) is None


def test_numbers_come_from_the_content_files_for_the_known_country():
    assert fallback_handoff.emergency_number_lines("EG", "en") == [
        "Emergency numbers in Egypt: police 122, ambulance 123, fire 180."]
    arabic = "\n".join(fallback_handoff.emergency_number_lines(None, "ar"))
    assert "مصر" in arabic and "122" in arabic and "911" in arabic


async def test_the_handoff_is_recorded_in_the_hotline_queue(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'hotline.db'}"
    monkeypatch.setenv("HAVEN_HOTLINE_DATABASE_URL", url)
    tracker = tracker_after("emergency", "action_emergency", SlotSet("host_country", "TN"), SlotSet("language", "fr"))
    response, numbers = await fallback_handoff.ask_a_person(tracker, "rest", "emergency")
    assert response == fallback_handoff.PERSON_ASKED
    assert len(numbers) == 1 and "Tunisie" in numbers[0] and "197" in numbers[0]
    with session_scope(url) as session:
        request = session.query(HandoffRequest).one()
        assert (request.conversation_id, request.reason, request.priority, request.language) == \
            ("rest-someone", "emergency", 0, "fr")


async def test_with_the_hotline_database_down_too_the_user_still_gets_the_numbers(tmp_path, monkeypatch):
    monkeypatch.setenv("HAVEN_HOTLINE_DATABASE_URL", f"sqlite:///{tmp_path / 'missing' / 'dir' / 'hotline.db'}")
    monkeypatch.setattr(fallback_handoff, "record_handoff", lambda *args: False)
    tracker = tracker_after("request_human", "action_request_human")
    response, numbers = await fallback_handoff.ask_a_person(tracker, "rest", "asked_for_person")
    assert response == fallback_handoff.PERSON_UNREACHABLE and any("122" in line for line in numbers)
