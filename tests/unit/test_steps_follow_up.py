"""A typed "next" right after a phase of the return steps goes on (actions/return_steps.typed_phase,
bot/steps_follow_up_policy.py)."""
from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from actions.directory import queries
from actions.return_steps import DEFAULT_PROGRAMME, FOLLOW_UP_WORDS, typed_phase
from bot.steps_follow_up_policy import StepsFollowUpPolicy

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.load(ROOT / "domain.yml")
PHASES = ["pre_departure", "transport", "post_arrival"]


def test_the_phase_a_typed_message_asks_for(session):
    words = queries.form_options(session, FOLLOW_UP_WORDS)
    assert [p for p, _ in queries.return_phases(session, DEFAULT_PROGRAMME)] == PHASES
    assert typed_phase("la suite", "pre_departure", PHASES, words) == "transport"
    assert typed_phase("ok next", "transport", PHASES, words) == "post_arrival"
    assert typed_phase("ok next", "post_arrival", PHASES, words) == "post_arrival"  # the last one again
    assert typed_phase("the journey", "pre_departure", PHASES, words) == "transport"
    assert typed_phase("et apré kan jarive o pays", "pre_departure", PHASES, words) == "post_arrival"
    assert typed_phase("la suite", None, PHASES, words) is None  # nothing shown: nothing to go on from
    assert typed_phase("merci beaucoup", "transport", PHASES, words) is None
    assert typed_phase('/ask_return_steps{"return_phase": "transport"}', "pre_departure", PHASES, words) is None


@pytest.fixture()
def policy(tmp_path: Path) -> StepsFollowUpPolicy:
    return StepsFollowUpPolicy.create(StepsFollowUpPolicy.get_default_config(), LocalModelStorage(tmp_path),
                                      Resource("steps"), ExecutionContext(graph_schema=None, node_name="s"))  # type: ignore[arg-type]


def said(text: str, intent: str, confidence: float = 0.9) -> UserUttered:
    parse = {"intent": {"name": intent, "confidence": confidence},
             "intent_ranking": [{"name": intent, "confidence": confidence}], "text": text}
    return UserUttered(text, intent=parse["intent"], parse_data=parse)


def after_steps(*events) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("someone", [
        ActionExecuted("action_listen"), said("c koi les etap", "ask_return_steps"),
        ActionExecuted("action_return_steps"), SlotSet("return_phase_shown", "pre_departure"),
        ActionExecuted("action_listen"), *events], DOMAIN.slots)


def predicted(prediction) -> list:
    return [DOMAIN.action_names_or_texts[i] for i, p in enumerate(prediction.probabilities) if p > 0]


def test_la_suite_after_a_phase_goes_on(session, policy):
    turn = after_steps(said("la suite", "deny"))
    assert predicted(policy.predict_action_probabilities(turn, DOMAIN)) == ["action_return_steps"]
    turn.update(ActionExecuted("action_return_steps"))
    assert predicted(policy.predict_action_probabilities(turn, DOMAIN)) == ["action_listen"]
    # "w ba3dein?" ("and then?") is read as a follow-up by the classifier: on the steps just shown
    assert predicted(policy.predict_action_probabilities(after_steps(said("w ba3dein?", "ask_centre_details")),
                                                         DOMAIN)) == ["action_return_steps"]


def test_only_right_after_a_phase_and_never_over_a_need_or_a_form(session, policy):
    assert predicted(policy.predict_action_probabilities(after_steps(said("la suite", "ask_health")), DOMAIN)) == []
    assert predicted(policy.predict_action_probabilities(after_steps(said("next", "emergency", 0.5)), DOMAIN)) == []
    later = after_steps(said("merci", "thank"), ActionExecuted("utter_thank"), ActionExecuted("action_listen"),
                        said("la suite", "deny"))
    assert predicted(policy.predict_action_probabilities(later, DOMAIN)) == []
    in_form = after_steps(ActiveLoop("eligibility_form"), said("la suite", "deny"))
    assert predicted(policy.predict_action_probabilities(in_form, DOMAIN)) == []
