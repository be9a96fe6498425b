"""An unsure message right after centres were shown that names one of their details is a question about them.

"merci frer, é cé ou exactemen? cé ouver le soir?", "عندهم نمرة؟": short, misspelt follow-ups the classifier is
not sure of. Read alone, such a message is unclear, or taken for its best guess at a need (the evacuation
question, say: bot/service_request.py); read after a list of centres it asks where they are, when they open or
how to call them. Only the conversation knows what was just shown (the `last_search` slot), so this is
decided here, at the first prediction of the turn, with the follow-up words editors keep in
data/directory/form_questions.yml (`centre_details`), and answered by `action_centre_details`.

A message the classifier's unsure guess took for a need of its own ("encore une question, pour les
papiers?") must name a detail itself: "another one" words (encore, كمان, more) are everyday words too.
Not while a form is open (the form reads its own answers), not for a message the safety rules or the
classifier's safety intents took, and not when the best guess is itself a safety intent ("do they have my
number?" may be a privacy question): those are left to the safety policy and the fallback."""
from __future__ import annotations

import logging
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Text

from rasa.core.policies.policy import PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME as NLU_FALLBACK
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.exc import SQLAlchemyError

from bot.language_policy import first_prediction_of_turn
from bot.runtime_policy import RuntimePolicy
from bot.service_request import SAFETY_INTENTS

logger = logging.getLogger(__name__)
DETAILS_ACTION = "action_centre_details"
SEARCH_SLOT = "last_search"
DETAIL_WORDS = "centre_details"
#: The follow-up words for "another one, closer": many are everyday words too ("encore", "كمان", "more").
OTHERS = "others"
#: A message taken as one of these is still unclear, or already about centres; one taken for a need
#: (bot/service_request.py) is a follow-up only if it names a detail itself (phone, address, hours, languages).
LEFT_UNCLEAR = {NLU_FALLBACK, "ask_centre_details", "find_support_center"}


def is_unclear_detail_question(ranking: Sequence[Mapping[str, Any]], intent: Optional[str], text: str,
                               shown: bool, form_open: bool,
                               named_details: Callable[[str], List[str]], same_search: bool = False) -> bool:
    """Whether the message is a follow-up on the centres just shown. `ranking` is the classifier's, with the
    fallback first when it was unsure (kept there when bot/service_request.py took a need out of it);
    `named_details` reads the follow-up words in the text (only called when everything else holds).
    `same_search`: the message names no other service or town than the search just shown."""
    if not shown or form_open or not text or text.startswith("/") or intent in SAFETY_INTENTS:
        return False
    if not ranking or ranking[0].get("name") != NLU_FALLBACK:
        # The classifier was sure: its answer stands, unless it took a question about the centres just shown
        # for the same search again ("le croissant rouge sfax c ouvert aujourdhui? c quel adresse exactement"
        # would show the same list, not say when they open).
        return intent == "find_support_center" and same_search and bool(set(named_details(text)) - {OTHERS})
    guesses = [r for r in ranking if r.get("name") != NLU_FALLBACK]
    if guesses and guesses[0].get("name") in SAFETY_INTENTS:
        return False
    details = named_details(text)
    if intent not in LEFT_UNCLEAR and set(details) <= {OTHERS}:
        return False  # "encore une question, pour les papiers?": a need of its own, not "another one"
    return bool(details)


def directory_details(text: str) -> List[str]:
    """The centre details the text names, in the directory's follow-up words; none if it cannot be read."""
    from actions.answers import match_options
    from actions.directory import queries
    from actions.directory.session import open_session

    try:
        with open_session() as session:
            words = queries.form_options(session, DETAIL_WORDS)
    except SQLAlchemyError as error:
        logger.warning("Directory unavailable, follow-up on centres not read: %s", error)
        return []
    return match_options(text, words, names_are_keywords=False)


def only_action_this_turn(tracker: DialogueStateTracker, action: str) -> bool:
    """`action` is the only action since the person's latest message (the follow-up was answered)."""
    actions: List[str] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, ActionExecuted) and event.action_name != ACTION_LISTEN_NAME:
            actions.append(event.action_name)
    return actions == [action]


class AnswerFollowUpPolicy(RuntimePolicy):
    """Predicts `answer_action` at the first prediction of a turn whose message `is_follow_up` on the answer
    before, then listening once it has run. Subclasses say which action and which messages."""

    answer_action: str = ""

    def is_follow_up(self, tracker: DialogueStateTracker) -> bool:
        raise NotImplementedError

    def predict_action_probabilities(self, tracker: DialogueStateTracker, domain: Domain,
                                     rule_only_data: Optional[Dict[Text, Any]] = None,
                                     **kwargs: Any) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        first = first_prediction_of_turn(tracker)
        if self.answer_action not in domain.action_names_or_texts or not (
                first or only_action_this_turn(tracker, self.answer_action)):
            return self._prediction(probabilities)
        if self.is_follow_up(tracker):
            probabilities[domain.index_for_action(self.answer_action if first else ACTION_LISTEN_NAME)] = 1.0
        return self._prediction(probabilities)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class CentreFollowUpPolicy(AnswerFollowUpPolicy):
    """Predicts `action_centre_details` for an unsure follow-up on the centres just shown, then listening."""

    answer_action = DETAILS_ACTION

    def is_follow_up(self, tracker: DialogueStateTracker) -> bool:
        latest = tracker.latest_message
        parse_data = latest.parse_data if latest is not None else {}
        return is_unclear_detail_question(
            parse_data.get("intent_ranking") or [], (parse_data.get("intent") or {}).get("name"),
            (latest.text or "") if latest is not None else "",
            shown=bool((tracker.get_slot(SEARCH_SLOT) or {}).get("shown")),
            form_open=tracker.active_loop_name is not None, named_details=directory_details,
            same_search=names_nothing_new(parse_data.get("entities") or [], tracker.get_slot(SEARCH_SLOT) or {}))


def names_nothing_new(entities: Sequence[Mapping[str, Any]], searched: Mapping[str, Any]) -> bool:
    """The message names no service other than the one just searched and no town other than where it was
    searched from: a question about that search, not a new one."""
    from bot.normalise import normalise

    for entity in entities:
        kind, value = entity.get("entity"), str(entity.get("value") or "")
        if kind == "service_type" and value != (searched.get("service") or value):
            return False
        if kind == "city" and normalise(value) != normalise(str(searched.get("where") or "")):
            return False
    return True
