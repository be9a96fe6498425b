"""The Rasa components that apply Haven's safety rules (bot/safety.py) at every turn: the detector in the NLU
pipeline and the policy above every other policy (config.yml)."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.core.policies.policy import PolicyPrediction
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME as NLU_FALLBACK
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.runtime_policy import RuntimePolicy
from bot.language_policy import first_prediction_of_turn
from bot.safety import PROTECTION_SLOT, SAFETY_KEY, URGENT_CASE_SLOT, live_rules, next_action


def next_guess(doubted: Dict[str, Any], ranking: List[Dict[str, Any]]) -> Tuple[Dict[str, Any], List[Dict[str, Any]]]:
    """The classifier's next guess when its first is a safety intent it is not sure enough of (the fallback
    then judges that guess like any other); "not understood" when it has none."""
    others = [r for r in ranking if r.get("name") != doubted.get("name")]
    if not others:
        return {"name": NLU_FALLBACK, "confidence": doubted.get("confidence")}, ranking
    return {"name": others[0]["name"], "confidence": others[0]["confidence"]}, others


def overruled_ranking(ranking: List[Dict[str, Any]], intent: str) -> List[Dict[str, Any]]:
    """The rule's intent first and certain; the classifier's guesses kept for the record at confidence 0, so that
    the FallbackClassifier does not take the rule's certainty for a close call between two intents."""
    others = [{**r, "confidence": 0.0} for r in ranking if r.get("name") != intent]
    return [{"name": intent, "confidence": 1.0}] + others


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SafetyDetector(GraphComponent):
    """Takes a message that matches a safety rule as that rule's intent (confidence 1)."""

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SafetyDetector":
        live_rules.get()  # a broken rules file stops the model from loading, not a conversation
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        rules = live_rules.get()
        for message in messages:
            matched = rules.matching(message.get(TEXT), message.get(INTENT)) if message.get(TEXT) else []
            if not matched:
                if rules.doubtful(message.get(INTENT), message.get(TEXT) or ""):
                    guess, others = next_guess(message.get(INTENT), message.get(INTENT_RANKING_KEY) or [])
                    message.set(INTENT, guess, add_to_output=True)
                    message.set(INTENT_RANKING_KEY, others, add_to_output=True)
                continue
            message.set(SAFETY_KEY, {"rules": [rule.id for rule in matched]}, add_to_output=True)
            deciding = next((rule for rule in matched if rule.intent), None)
            if deciding is not None:
                message.set(INTENT, {"name": deciding.intent, "confidence": 1.0}, add_to_output=True)
                ranking = overruled_ranking(message.get(INTENT_RANKING_KEY) or [], deciding.intent)
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data  # the training data's intents are what the classifier learns; never rewritten


def actions_this_turn(tracker: DialogueStateTracker) -> Optional[List[str]]:
    """The actions run since the person's latest message; None before any message."""
    actions: List[str] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return list(reversed(actions))
        if isinstance(event, ActionExecuted) and event.action_name:
            actions.append(event.action_name)
    return None


def deliberate(tracker: DialogueStateTracker) -> bool:
    """The latest message is a button's payload ("/forget_me") or has the intent of the message before it."""
    messages = [e for e in tracker.events if isinstance(e, UserUttered)]
    if not messages:
        return False
    latest = messages[-1]
    if (latest.text or "").startswith("/"):
        return True
    return len(messages) > 1 and (latest.intent or {}).get("name") == (messages[-2].intent or {}).get("name")


#: The questionnaire's answer to "do you fear harm if you go back?" (actions/eligibility_form.py).
FEAR_SLOT = "fears_persecution"


def lifted_protection(tracker: DialogueStateTracker, rules: Any) -> List[Event]:
    """On the protection route, a message saying the person is not afraid of going back ("nn jai dit g PA
    peur!!") takes them off it: their own word, like asking to go back, makes return an option again."""
    latest = tracker.latest_message
    if not tracker.get_slot(PROTECTION_SLOT) or latest is None or not first_prediction_of_turn(tracker):
        return []
    if not rules.denies_fear(latest.text or ""):
        return []
    return [SlotSet(PROTECTION_SLOT, False), SlotSet(FEAR_SLOT, False)]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class SafetyPolicy(RuntimePolicy):
    """Predicts what the safety rules require (see `next_action`), above every other policy.

    Inside a form Rasa's RulePolicy predicts the form as a "no user" prediction, which outranks every
    prediction based on the user's message; a safety action must outrank the form, so inside a form this
    policy's predictions are marked the same way and win by priority."""

    def predict_action_probabilities(self, tracker: DialogueStateTracker, domain: Domain,
                                     rule_only_data: Optional[Dict[Text, Any]] = None,
                                     **kwargs: Any) -> PolicyPrediction:
        rules = live_rules.get()
        latest = tracker.latest_message
        parse_data = latest.parse_data if latest is not None else {}
        action = next_action(
            this_turn=actions_this_turn(tracker), deliberate=deliberate(tracker),
            matched=[rule for rule in map(rules.by_id, (parse_data.get(SAFETY_KEY) or {}).get("rules") or [])
                     if rule is not None],  # type: ignore[union-attr]
            intent=(latest.intent or {}).get("name") if latest is not None else None,
            urgent_case_open=bool(tracker.get_slot(URGENT_CASE_SLOT)), rules=rules)
        probabilities = self._default_predictions(domain)
        events = lifted_protection(tracker, rules)
        if action is None or action not in domain.action_names_or_texts:
            return self._prediction(probabilities, events=events)
        probabilities[domain.index_for_action(action)] = 1.0
        return self._prediction(probabilities, events=events,
                                is_no_user_prediction=tracker.active_loop_name is not None)

