"""Who is where, remembered from every message, in the Rasa process.

People say where they are, where they come from and whose embassy they need in passing, in any message
("ana masry f tarablos libya", "je suis guinéenne au Caire, j'ai perdu mon passeport"), often in one that is
answered with a plain response (no action runs). At the first prediction after each message this policy
reads the message's towns and countries in their roles (actions/facts.py, the directory's gazetteer and cue
words) and sets `person_place`, `host_country`, `origin_country` and `nationality` (and what it says of the
person in the questionnaire's own words: no money, pregnant, wants to go back), the way LanguagePolicy
sets the language: its prediction's events are applied before anything is said in the turn, without a call
to the action server. It predicts no action.

While the return questionnaire is open it leaves the questionnaire's own answers (where the person is, where they want
to go back to) to the form, which confirms facts given in passing (actions/eligibility_form.py). If the
directory cannot be read the turn goes on without it."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.exc import SQLAlchemyError

from bot.language_policy import first_prediction_of_turn
from bot.runtime_policy import RuntimePolicy

logger = logging.getLogger(__name__)
#: The return questionnaire, which fills FORM_ANSWERS itself (with its confirmation): left to it while it is
#: open. Inside the wage questions, "trablos libya" still says where the person is.
QUESTIONNAIRE = "eligibility_form"
#: Slots a questionnaire fills itself (with its confirmation): left to it while it is open.
FORM_ANSWERS = {"host_country", "origin_country", "wants_return", "lacks_means", "situation", "vulnerabilities"}
#: What a free message may also say about the person, read with the questionnaire's own answer words.
ABOUT_THE_PERSON = ("wants_return", "lacks_means", "situation", "vulnerabilities")


def remembered(facts: Any, hosts: Any) -> Dict[str, Any]:
    """The slots the facts of a message set: where the person is only in a host country (someone "back in
    Ethiopia" is no longer in one), where they come from only if it is not where they are."""
    found: Dict[str, Optional[str]] = {}
    if facts.where_place:
        found["person_place"] = facts.where_place
    if facts.where_country in hosts:
        found["host_country"] = facts.where_country
    origin = facts.origin or facts.nationality  # "I'm a Filipina nurse in Misrata": from the Philippines
    if origin and origin != found.get("host_country"):
        found["origin_country"] = origin
    if facts.nationality:
        found["nationality"] = facts.nationality
    if facts.returning:
        found["wants_return"] = True  # "I want to go back to Ghana"
    return found


def message_facts(tracker: DialogueStateTracker) -> Dict[str, Any]:
    latest = tracker.latest_message
    text = (latest.text or "") if latest is not None else ""
    if not text or text.startswith("/"):
        return {}  # a button's payload carries its own entities, read by the actions
    from actions import common  # the directory's reader; imported here so that loading the model stays cheap
    from actions.directory.session import open_session

    from actions.directory import queries
    from actions.facts import free_text_answers

    try:
        with open_session() as session:
            facts = common.facts_in(session, text, (latest.parse_data or {}).get("entities") or [])
            answers = free_text_answers(facts, text, None, lambda field: queries.form_options(session, field))
    except SQLAlchemyError as error:
        logger.warning("Directory unavailable, facts of this message not remembered: %s", error)
        return {}
    return {**{k: v for k, v in answers.items() if k in ABOUT_THE_PERSON}, **remembered(facts, common.HOST_COUNTRIES)}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class FactsPolicy(RuntimePolicy):
    """Sets where the person is, comes from and whose nationality they are at the first prediction of a turn."""

    def predict_action_probabilities(self, tracker: DialogueStateTracker, domain: Domain,
                                     rule_only_data: Optional[Dict[Text, Any]] = None,
                                     **kwargs: Any) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        if not first_prediction_of_turn(tracker):
            return self._prediction(probabilities)
        found = message_facts(tracker)
        if tracker.active_loop_name == QUESTIONNAIRE:
            found = {slot: value for slot, value in found.items() if slot not in FORM_ANSWERS}
        known = {slot.name for slot in domain.slots}
        events: List[Event] = [SlotSet(slot, value) for slot, value in found.items()
                               if slot in known and tracker.get_slot(slot) != value]
        return self._prediction(probabilities, events=events)
