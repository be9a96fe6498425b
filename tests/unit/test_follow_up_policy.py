"""An unsure message right after centres were shown that names one of their details is a question about them
(bot/follow_up_policy.py)."""
from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.follow_up_policy import CentreFollowUpPolicy, directory_details, is_unclear_detail_question

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.load(ROOT / "domain.yml")
SHOWN = SlotSet("last_search", {"shown": ["unhcr-tn-zarzis"]})


def unsure(best_guess: str, taken_as: str = "nlu_fallback") -> dict:
    """The classifier's ranking when it was unsure, and the intent the message was finally taken as."""
    ranking = [{"name": "nlu_fallback", "confidence": 0.45}, {"name": best_guess, "confidence": 0.22}]
    return {"intent": {"name": taken_as, "confidence": 0.45}, "intent_ranking": ranking}


def said(text: str, parse: dict) -> UserUttered:
    return UserUttered(text, intent=parse["intent"], parse_data={**parse, "text": text})


@pytest.fixture()
def policy(tmp_path: Path) -> CentreFollowUpPolicy:
    return CentreFollowUpPolicy.create(CentreFollowUpPolicy.get_default_config(), LocalModelStorage(tmp_path),
                                       Resource("follow_up"), ExecutionContext(graph_schema=None, node_name="f"))  # type: ignore[arg-type]


def tracker(*events) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("someone", [ActionExecuted("action_listen"), *events], DOMAIN.slots)


def predicted(prediction) -> list:
    return [DOMAIN.action_names_or_texts[i] for i, p in enumerate(prediction.probabilities) if p > 0]


def test_sms_spelling_after_centres_is_a_question_about_them(session, policy):
    # read as the evacuation question by bot/service_request.py; centres were shown just before
    text = "merci frer, é cé ou exactemen? cé ouver le soir?"
    turn = tracker(SHOWN, BotUttered("1. UNHCR Zarzis ..."), ActionExecuted("action_listen"),
                   said(text, unsure("ask_evacuation", taken_as="ask_evacuation")))
    assert predicted(policy.predict_action_probabilities(turn, DOMAIN)) == ["action_centre_details"]
    turn.update(ActionExecuted("action_centre_details"))
    assert predicted(policy.predict_action_probabilities(turn, DOMAIN)) == ["action_listen"]
    turn.update(ActionExecuted("action_listen"))
    turn.update(said("ok merci", unsure("thank", taken_as="thank")))  # the next message names no detail
    assert predicted(policy.predict_action_probabilities(turn, DOMAIN)) == []


def test_the_same_words_mean_nothing_without_centres_or_inside_a_form(session, policy):
    parse = unsure("ask_centre_details")
    assert predicted(policy.predict_action_probabilities(tracker(said("عندهم نمرة؟", parse)), DOMAIN)) == []
    in_form = tracker(SHOWN, ActiveLoop("eligibility_form"), ActionExecuted("action_listen"),
                      said("عندهم نمرة؟", parse))
    assert predicted(policy.predict_action_probabilities(in_form, DOMAIN)) == []


def test_which_messages_are_follow_ups(session):
    def follow_up(text: str, parse: dict, shown: bool = True) -> bool:
        return is_unclear_detail_question(parse["intent_ranking"], parse["intent"]["name"], text, shown=shown,
                                          form_open=False, named_details=directory_details)

    assert follow_up("عندهم نمرة؟", unsure("ask_centre_details"))
    assert follow_up("c ouvert demain?", unsure("greet"))
    assert follow_up("any other one closer?", unsure("ask_centre_details"))
    # taken for a need: "another" words are everyday words too, a detail must be named
    assert not follow_up("encore une question, pour les papiers?", unsure("ask_visa_status", taken_as="ask_visa_status"))
    assert follow_up("c ou exactement? ouvert demain?", unsure("ask_visa_status", taken_as="ask_visa_status"))
    assert not follow_up("عندهم نمرة؟", unsure("ask_centre_details"), shown=False)  # nothing shown
    assert not follow_up("c 1 ia ?", unsure("ask_centre_details"))  # names no detail
    assert not follow_up("عندهم نمرة؟", unsure("ask_privacy"))  # "do they have my number?" may be about privacy
    assert not follow_up("they have my number, they will find me", unsure("greet", taken_as="fear_of_return"))
    sure = {"intent": {"name": "ask_health", "confidence": 0.9},
            "intent_ranking": [{"name": "ask_health", "confidence": 0.9}]}
    assert not follow_up("is the clinic open now?", sure)  # the classifier's own answer stands


def test_an_unreadable_directory_names_no_detail(monkeypatch):
    monkeypatch.setenv("HAVEN_DATABASE_URL", "sqlite:////nonexistent/dir/haven.db")
    assert directory_details("عندهم نمرة؟") == []


def test_a_sure_search_for_the_same_centres_that_asks_a_detail_is_a_follow_up(session):
    from bot.follow_up_policy import names_nothing_new

    searched = {"shown": ["lrc-sfax"], "service": "health", "where": "Sfax"}
    sure = {"intent": {"name": "find_support_center", "confidence": 0.97},
            "intent_ranking": [{"name": "find_support_center", "confidence": 0.97}]}

    def follow_up(text: str, entities: list) -> bool:
        return is_unclear_detail_question(sure["intent_ranking"], "find_support_center", text, shown=True,
                                          form_open=False, named_details=directory_details,
                                          same_search=names_nothing_new(entities, searched))

    sfax = {"entity": "city", "value": "sfax"}
    assert follow_up("le croissant rouge sfax c ouvert aujourdhui? c quel adresse exactement", [sfax])
    assert not follow_up("ya pas un consulat a tunis? et c koi leur numero", [{"entity": "city", "value": "tunis"}])
    assert not follow_up("et un avocat? c koi leur numero", [{"entity": "service_type", "value": "legal_aid"}])
    assert not follow_up("ya un autre centre a sfax?", [sfax])  # "another one" is a new search when sure
