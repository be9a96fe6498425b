"""The conversation's language decided in the Rasa process, at the first prediction after each message.

Rasa applies the events of every policy's prediction before it runs the predicted action (and drops them
if the action is rejected, so they are decided again), so the `language` and `language_chosen` slots are
set before anything is said in the turn, as a slot-mapping action would set them, without a call to the
action server on every message (`make bench`, turns). The decision itself is bot.language_choice.

A first message in a language Haven does not speak gets the offer of the languages it does speak
(`utter_language_offer`) and nothing else: what follows would be a guess at a message Haven cannot read,
in a language the person may not read. The safety rules' answers still come first (bot.safety_components:
listed before this policy, they win its ties)."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.language import default_identifier
from bot.runtime_policy import RuntimePolicy
from bot.language_choice import LanguageDecision, decide, explicit_choice

LANGUAGE_SLOT = "language"
CHOSEN_SLOT = "language_chosen"
OFFER_RESPONSE = "utter_language_offer"


def first_prediction_of_turn(tracker: DialogueStateTracker) -> bool:
    """Nothing has been done since the person's latest message (slots set by Rasa's slot mappings aside)."""
    return tracker.latest_action_name == ACTION_LISTEN_NAME and tracker.latest_message is not None \
        and any(isinstance(e, UserUttered) for e in tracker.events)


def language_decision(tracker: DialogueStateTracker) -> LanguageDecision:
    settings = default_identifier().settings  # read once per process
    latest = tracker.latest_message
    parse_data = latest.parse_data if latest is not None else {}
    return decide(
        current=tracker.get_slot(LANGUAGE_SLOT), chosen=bool(tracker.get_slot(CHOSEN_SLOT)),
        detected=parse_data.get("language") or {},
        explicit=explicit_choice(parse_data.get("entities") or [], (latest.text or "") if latest else "", settings),
        first_message=sum(1 for e in tracker.events if isinstance(e, UserUttered)) <= 1, settings=settings)


def slot_events(tracker: DialogueStateTracker, decision: LanguageDecision) -> List[Event]:
    """The slots that change, only those (a turn that changes nothing adds nothing to the tracker)."""
    wanted = {LANGUAGE_SLOT: decision.language, CHOSEN_SLOT: decision.chosen}
    return [SlotSet(slot, value) for slot, value in wanted.items() if tracker.get_slot(slot) != value]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class LanguagePolicy(RuntimePolicy):
    """Sets the language slots at the first prediction of a turn; predicts the language offer (then
    listening) for a first message in a language Haven does not speak. Otherwise it predicts nothing."""

    def predict_action_probabilities(self, tracker: DialogueStateTracker, domain: Domain,
                                     rule_only_data: Optional[Dict[Text, Any]] = None,
                                     **kwargs: Any) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        if tracker.latest_action_name == OFFER_RESPONSE:
            probabilities[domain.index_for_action(ACTION_LISTEN_NAME)] = 1.0
            return self._prediction(probabilities)
        if not first_prediction_of_turn(tracker):
            return self._prediction(probabilities)
        decision = language_decision(tracker)
        if decision.offer_choice and OFFER_RESPONSE in domain.action_names_or_texts:
            probabilities[domain.index_for_action(OFFER_RESPONSE)] = 1.0
        return self._prediction(probabilities, events=slot_events(tracker, decision))

