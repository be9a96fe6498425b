"""The Rasa components that apply Haven's safety rules (bot/safety.py) at every turn: the detector in the NLU
pipeline and the policy above every other policy (config.yml)."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.safety import SAFETY_KEY, URGENT_CASE_SLOT, live_rules, next_action


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
            rule = rules.match(message.get(TEXT), message.get(INTENT)) if message.get(TEXT) else None
            if rule is None:
                continue
            message.set(SAFETY_KEY, {"rule": rule.id}, add_to_output=True)
            if rule.intent:
                intent = {"name": rule.intent, "confidence": 1.0}
                ranking = [intent] + [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != rule.intent]
                message.set(INTENT, intent, add_to_output=True)
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data  # the training data's intents are what the classifier learns; never rewritten


def _user_just_spoke(tracker: DialogueStateTracker) -> bool:
    """The latest event that is a user message or an action is a user message."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return True
        if getattr(event, "type_name", None) == "action":
            return False
    return False


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class SafetyPolicy(Policy):
    """Predicts what the safety rules require (see `next_action`), above every other policy.

    Inside a form Rasa's RulePolicy predicts the form as a "no user" prediction, which outranks every
    prediction based on the user's message; a safety action must outrank the form, so inside a form this
    policy's predictions are marked the same way and win by priority."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"priority": 7}

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain,
              **kwargs: Any) -> Resource:
        return self._resource  # nothing to learn: the rules are data read at run time

    def predict_action_probabilities(self, tracker: DialogueStateTracker, domain: Domain,
                                     rule_only_data: Optional[Dict[Text, Any]] = None,
                                     **kwargs: Any) -> PolicyPrediction:
        rules = live_rules.get()
        latest = tracker.latest_message
        parse_data = latest.parse_data if latest is not None else {}
        action = next_action(
            user_just_spoke=_user_just_spoke(tracker), latest_action=tracker.latest_action_name,
            rule=rules.by_id((parse_data.get(SAFETY_KEY) or {}).get("rule")),  # type: ignore[union-attr]
            intent=(latest.intent or {}).get("name") if latest is not None else None,
            urgent_case_open=bool(tracker.get_slot(URGENT_CASE_SLOT)), rules=rules)
        probabilities = self._default_predictions(domain)
        if action is None or action not in domain.action_names_or_texts:
            return self._prediction(probabilities)
        probabilities[domain.index_for_action(action)] = 1.0
        return self._prediction(probabilities, is_no_user_prediction=tracker.active_loop_name is not None)

    def _metadata(self) -> Dict[Text, Any]:
        return {}

    @classmethod
    def _metadata_filename(cls) -> Optional[Text]:
        return None
