"""The conversation's language is set in the Rasa process before anything is said in a turn."""
from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.language import detect_language
from bot.language_policy import LanguagePolicy

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.load(ROOT / "domain.yml")


@pytest.fixture()
def policy(tmp_path: Path) -> LanguagePolicy:
    return LanguagePolicy.create(LanguagePolicy.get_default_config(), LocalModelStorage(tmp_path),
                                 Resource("language"), ExecutionContext(graph_schema=None, node_name="language"))  # type: ignore[arg-type]


def said(text: str, entities=None) -> UserUttered:
    return UserUttered(text, intent={"name": "greet", "confidence": 0.9}, entities=entities or [],
                       parse_data={"language": detect_language(text).as_dict()})


def tracker(*events) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("someone", [ActionExecuted("action_listen"), *events], DOMAIN.slots)


def predicted(prediction) -> list:
    return [DOMAIN.action_names_or_texts[i] for i, p in enumerate(prediction.probabilities) if p > 0]


def test_a_message_in_french_sets_the_language_before_anything_is_said(policy):
    prediction = policy.predict_action_probabilities(tracker(said("Bonjour, je cherche un abri pour ma famille")),
                                                     DOMAIN)
    assert SlotSet("language", "fr") in prediction.events and predicted(prediction) == []


def test_only_the_first_prediction_of_a_turn_decides(policy):
    later = tracker(said("Bonjour, je cherche un abri pour ma famille"), SlotSet("language", "fr"),
                    ActionExecuted("utter_greet"))
    assert policy.predict_action_probabilities(later, DOMAIN).events == []


def test_an_unchanged_language_adds_no_event(policy):
    prediction = policy.predict_action_probabilities(tracker(said("I need a shelter for my family tonight")), DOMAIN)
    assert prediction.events == []


def test_a_named_language_is_chosen_and_sticks(policy):
    chosen = policy.predict_action_probabilities(
        tracker(said("/choose_language", [{"entity": "language", "value": "ar"}])), DOMAIN)
    assert SlotSet("language", "ar") in chosen.events and SlotSet("language_chosen", True) in chosen.events
    later = tracker(said("/choose_language", [{"entity": "language", "value": "ar"}]), *chosen.events,
                    ActionExecuted("utter_greet"), ActionExecuted("action_listen"),
                    said("I need a shelter for my family tonight please"))
    assert policy.predict_action_probabilities(later, DOMAIN).events == []


def test_a_first_message_in_another_language_gets_the_offer_then_listening(policy):
    first = policy.predict_action_probabilities(tracker(said("Habari, nataka kurudi nyumbani kwetu, tafadhali nisaidie")),
                                                DOMAIN)
    assert predicted(first) == ["utter_language_offer"] and first.max_confidence == 1.0
    after = tracker(said("Habari, nataka kurudi nyumbani kwetu, tafadhali nisaidie"), ActionExecuted("utter_language_offer"))
    assert predicted(policy.predict_action_probabilities(after, DOMAIN)) == ["action_listen"]


def test_before_any_message_nothing_is_decided(policy):
    assert policy.predict_action_probabilities(tracker(), DOMAIN).events == []
