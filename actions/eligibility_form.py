"""The eligibility form: asks only what the programmes' criteria need, stops as soon as the answer is
clear, and explains the result (or refers to protection when someone fears persecution)."""
from __future__ import annotations

import abc
from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import common
from actions.answers import (Options, match_option, means_leaving, opening_yes_or_no, own_answer,
                             unsure, vulnerabilities_from)
from actions.directory import queries
from actions.eligibility import Outcome, form_slots, outcome, questions_still_needed
from actions.facts import free_text_answers
from actions.places import read_place
from actions.safety import protection_offices
from actions.texts import buttons, joined, language_of, t
from bot.safety import PROTECTION_SLOT

FORM_FIELDS = ["host_country", "wants_return", "fears_persecution", "lacks_means", "situation",
               "vulnerabilities", "origin_country"]
#: Answers forgotten after a result, so asking again asks whether they still want to go; what the person said
#: about themselves (where they are and come from, fear of going back, money, situation, vulnerabilities) stays.
#: (Fear said later, anywhere, is the safety rules' to answer; "I am not afraid" lifts the protection route.)
#: Where the form keeps how often in a row the question asked now got an answer it could not read.
UNREAD_SLOT = "unread_answers"
#: Facts taken from what the person wrote freely ("I am in Sabha, I want to go back to Mali, no money") are
#: confirmed in one line before the questions go on; these slots hold what awaits confirmation and the line.
CONFIRMED_SLOT, TO_CONFIRM_SLOT, SUMMARY_SLOT = "facts_confirmed", "facts_to_confirm", "facts_summary"
#: The question Rasa asks for CONFIRMED_SLOT (utter_ask_<slot>), with the line in SUMMARY_SLOT.
CONFIRM_QUESTION = "utter_ask_facts_confirmed"
#: How each vulnerability taken from a free message is said back (FREE_TEXT_VULNERABILITIES).
VULNERABILITY_FACTS = {"pregnancy": "utter_txt_fact_pregnancy", "illness": "utter_txt_fact_illness",
                       "disability": "utter_txt_fact_disability", "child": "utter_txt_fact_child"}
RESET_AFTER_RESULT = ["wants_return", UNREAD_SLOT, CONFIRMED_SLOT, TO_CONFIRM_SLOT, SUMMARY_SLOT]
#: Leaving the questions forgets every answer given in them.
RESET_WHEN_LEFT = RESET_AFTER_RESULT + ["fears_persecution", "lacks_means", "situation", "vulnerabilities"]
#: At least this many facts from one free message, where the person is among them, are confirmed before
#: going on; fewer are kept without a word and the next question comes (where the person is, first).
FACTS_TO_CONFIRM = 2


#: Intents of a message that is meant as an answer (or may be one): anything else is a question of its own,
#: left to the rest of the dialogue (the form's turn is rejected, the question answered, the form resumed).
ANSWER_INTENTS = {"inform", "affirm", "deny", "nlu_fallback", "out_of_scope", "greet", "thank", "goodbye"}


def answering(tracker: Tracker, slot: str) -> bool:
    """The latest message may answer the question of `slot`: it is asked, and the message is not one the
    dialogue answers first (danger, a person...). A message the NLU could not place may well be an answer
    typed the way people type ("jpeu pa payer"): the form reads it."""
    return tracker.get_slot("requested_slot") == slot and common.latest_intent(tracker) not in \
        common.ANSWERED_FIRST


def asks_something_else(tracker: Tracker) -> bool:
    """The message names no place, shares no location and is not meant as an answer ("where is our embassy?"
    to "in which country did you work?"): a question of its own, answered before the form goes on."""
    names_a_place = common.latest_entities(tracker, "country") or common.latest_entities(tracker, "city")
    return (common.latest_intent(tracker) not in ANSWER_INTENTS and not names_a_place
            and not common.location_shared(tracker))


def unread_or_own_question(field: str, hint: str, dispatcher: CollectingDispatcher,
                           tracker: Tracker) -> Dict[Text, Any]:
    """An answer the form could not read: a message not meant as an answer ("where is my embassy?") is a
    question of its own, left to the dialogue (answered, then the question again); anything else is
    `unreadable`."""
    if common.latest_intent(tracker) not in ANSWER_INTENTS:
        return {}
    return unreadable(field, hint, dispatcher, tracker)


def unreadable(field: str, hint: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
    """An answer the form cannot read: the first time the question comes again with a hint (`hint`, a
    response); the second time in a row a person is offered as well. The slot stays empty."""
    unread = tracker.get_slot(UNREAD_SLOT) or {}
    count = (unread.get("count", 0) if unread.get("field") == field else 0) + 1
    dispatcher.utter_message(response=hint)
    if count >= 2:
        dispatcher.utter_message(response="utter_form_offer_person")
    return {field: None, UNREAD_SLOT: {"field": field, "count": count}}


def read_yes_no(field: str, options: Callable[[str], Options], dispatcher: CollectingDispatcher,
                tracker: Tracker) -> Dict[Text, Any]:
    """A yes/no question answered in words ("jpeu pa payer", "aywa ma3andeesh flous", "no I can pay"): the
    question's own answers (form_questions.yml; negated, "لا ما خايف", they are a no) come first, then a
    general yes/no word the answer starts with ("no problem" is a no, whatever the classifier made of it),
    then the NLU's plain yes/no; "I don't know" is neither (the NLU often hears "no"). A message that is a
    question of its own is left to the dialogue."""
    if not answering(tracker, field):
        return {}
    text, general = common.latest_text(tracker), options("yes_no")
    answer = own_answer(text, options(field), general.get("negation", ()))
    if answer is None and unsure(text, general):
        return unreadable(field, "utter_answer_yes_or_no", dispatcher, tracker)
    if answer is None:
        answer = opening_yes_or_no(text, general)  # "no problem", "aywa ...": the word it starts with
    if answer is None:
        answer = tracker.get_slot(field)  # the NLU's affirm / deny (domain.yml slot mappings)
    if answer is not None:
        return {field: answer}
    if common.latest_intent(tracker) not in ANSWER_INTENTS or common.location_shared(tracker):
        return {}
    return unreadable(field, "utter_answer_yes_or_no", dispatcher, tracker)


def extract_country(tracker: Tracker, dispatcher: CollectingDispatcher, slot: str,
                    location_answers: bool = True) -> Dict[Text, Any]:
    """A country code from a country or city named in the answer, or from a shared location when the
    question is where the person is (`location_answers`); asks again when unclear."""
    if common.location_shared(tracker):
        if not location_answers:
            dispatcher.utter_message(response="utter_location_not_origin")
            return {slot: None}
        return {slot: country_of_location(tracker, dispatcher)}
    entity_values = common.latest_entities(tracker, "country") + common.latest_entities(tracker, "city")
    language = language_of(tracker)
    try:
        with common.directory() as session:
            query = read_place(common.gazetteer(session), common.latest_text(tracker), entity_values)
            countries = sorted({m.entry.country_code for m in query.matches})
            if len(countries) == 1:
                return {slot: countries[0]}
            if len(countries) > 1:
                names = [queries.country_name(session, c, language) or c for c in countries]
                dispatcher.utter_message(response="utter_which_country",
                                         names=joined(names, language, "utter_txt_or"))
            else:
                dispatcher.utter_message(response="utter_unknown_country")
            return {slot: None}
    except common.DirectoryUnavailable:
        dispatcher.utter_message(response=common.SERVICE_UNAVAILABLE)
        return {slot: None}


def country_of_location(tracker: Tracker, dispatcher: CollectingDispatcher) -> Optional[str]:
    """The country of the known place nearest to the shared location, said in one line ("You shared a
    location in Libya: I'll use that."); None, with a polite line before the question is asked again, when
    no known place is near or the location is unreadable."""
    position = common.latest_location(tracker)
    try:
        with common.directory() as session:
            code = common.country_at(session, position) if position is not None else None
            if code is None:
                dispatcher.utter_message(response="utter_location_no_country")
                return None
            name = queries.country_name(session, code, language_of(tracker)) or code
    except common.DirectoryUnavailable:
        dispatcher.utter_message(response=common.SERVICE_UNAVAILABLE)
        return None
    dispatcher.utter_message(response="utter_location_country", country=name)
    return code


def wants_to_leave(tracker: Tracker) -> bool:
    """Whether the person asks to leave the open question ("stop", "annule", "خلاص", or goodbye).

    The leave words are content (form_questions.yml, `leave_form`). An answer option of the open question
    wins ("بلاش" skips the vulnerabilities question), an urgent intent is answered first and the form goes
    on, and a plain "no" is an answer, never a way out."""
    question = tracker.get_slot("requested_slot")
    intent = common.latest_intent(tracker)
    if question is None or intent in common.ANSWERED_FIRST or common.location_shared(tracker):
        return False
    text = common.latest_text(tracker)
    try:
        with common.directory() as session:
            words = queries.form_options(session, "leave_form")
            options = queries.form_options(session, question)
    except common.DirectoryUnavailable:
        words, options = {}, {}
    if options and match_option(text, options) is not None:
        return False
    if means_leaving(text, words):
        return True
    names_a_place = common.latest_entities(tracker, "country") or common.latest_entities(tracker, "city")
    return intent == "goodbye" and not names_a_place


def left_form_events(cleared: List[str]) -> List[EventType]:
    """Empty the form's answers and its requested slot: Rasa's FormAction.is_done then ends the loop, and
    the form's submit action (its rule runs it next) sees the empty answers and says the questions stopped."""
    return [SlotSet(slot, None) for slot in cleared] + [SlotSet("requested_slot", None)]


class LeavableFormValidation(FormValidationAction, metaclass=abc.ABCMeta):
    """A form validation after which any question can be left ("every form can be left"). Abstract, so that
    rasa_sdk does not register it as an action of its own."""

    @abc.abstractmethod
    def name(self) -> Text:
        ...

    #: The slots emptied when the person leaves.
    cleared_when_left: List[str] = []
    #: Slots the form's extraction sets besides its questions (rasa_sdk returns only the questions' slots).
    kept_slots: List[str] = [UNREAD_SLOT]

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        if wants_to_leave(tracker):
            return left_form_events(self.cleared_when_left)
        before = {slot: tracker.get_slot(slot) for slot in self.kept_slots}
        events = await super().run(dispatcher, tracker, domain)
        # rasa_sdk returns only the form's own slots; what an extractor set besides (the count of unread
        # answers, where the person is...) is kept too.
        for slot in self.kept_slots:
            if tracker.slots.get(slot) != before[slot]:
                events.append(SlotSet(slot, tracker.slots.get(slot)))
        return events


def worth_confirming(changed: List[str], requested: Optional[str]) -> bool:
    """Whether the facts a message gave in passing are confirmed in one line: several, where the person is
    among them (a correction of confirmed facts is confirmed again)."""
    if requested == CONFIRMED_SLOT:
        return bool(changed)
    return len(changed) >= FACTS_TO_CONFIRM and "host_country" in changed


def facts_summary(values: Dict[Text, Any], fields: List[str], place_name: Optional[str], country_name: Callable[[str], str],
                  language: str) -> str:
    """The facts awaiting confirmation in one line: "you are in Sabha, Libya, you want to go back to Mali,
    you cannot pay for the journey"."""
    parts = []
    if "host_country" in fields:
        country = country_name(values["host_country"])
        parts.append(t("utter_txt_fact_where", language, where=joined([place_name, country], language))
                     if place_name else t("utter_txt_fact_where_country", language, where=country))
    if "origin_country" in fields:
        key = "utter_txt_fact_return_to" if values.get("wants_return") is not False else "utter_txt_fact_origin"
        parts.append(t(key, language, country=country_name(values["origin_country"])))
    elif "wants_return" in fields:
        parts.append(t("utter_txt_fact_wants_return" if values["wants_return"] else "utter_txt_fact_stays", language))
    if "lacks_means" in fields:
        parts.append(t("utter_txt_fact_no_means" if values["lacks_means"] else "utter_txt_fact_means", language))
    for vulnerability in values.get("vulnerabilities") or [] if "vulnerabilities" in fields else []:
        if vulnerability in VULNERABILITY_FACTS:
            parts.append(t(VULNERABILITY_FACTS[vulnerability], language))
    return joined(parts, language)


def slots_before_message(tracker: Tracker) -> Dict[Text, Any]:
    """The slots as they were when the latest message came: what Rasa's policies set from it since (where the
    person is, bot/facts_policy.py) counts as said in this message."""
    events = tracker.events or []
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=len(events))
    values: Dict[Text, Any] = {}
    for event in events[:last_user]:
        kind = event.get("event")
        if kind == "slot":
            values[event.get("name")] = event.get("value")
        elif kind in ("restart", "reset_slots"):
            values = {}
    return values


class ValidateEligibilityForm(LeavableFormValidation):
    #: Where the person is stays known (as after a result); their other answers go.
    cleared_when_left = RESET_WHEN_LEFT
    kept_slots = [UNREAD_SLOT, "person_place", "nationality", CONFIRMED_SLOT, TO_CONFIRM_SLOT, SUMMARY_SLOT]

    def name(self) -> Text:
        return "validate_eligibility_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        try:
            with common.directory() as session:
                programmes = queries.programmes(session)
                order = [name for name, _ in queries.form_fields(session)]
        except common.DirectoryUnavailable:
            return domain_slots
        answers = {f: tracker.get_slot(f) for f in order}
        needed = form_slots(programmes, answers, order)
        if tracker.get_slot(TO_CONFIRM_SLOT) and tracker.get_slot(CONFIRMED_SLOT) is None:
            return [CONFIRMED_SLOT, *needed]
        return needed

    async def get_extraction_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> List[EventType]:
        """The answer to the question asked (the extract_<field> methods), then everything else the message
        says (several facts at once); two or more facts from a free message are confirmed in one line."""
        before = slots_before_message(tracker)
        requested = tracker.get_slot("requested_slot")
        events = await super().get_extraction_events(dispatcher, tracker, domain)
        if common.latest_intent(tracker) in common.ANSWERED_FIRST or common.location_shared(tracker):
            return events
        try:
            with common.directory() as session:
                facts = common.message_facts(session, tracker)
                found = free_text_answers(facts, common.latest_text(tracker), requested, self._options)
                changed = [f for f in FORM_FIELDS if f in found and found[f] != before.get(f)]
                agreed = requested == CONFIRMED_SLOT and self._agreed(tracker)
                if agreed:
                    # "Yes that's right, and we fear nothing in Egypt": what was just confirmed stands; only what
                    # the message adds is taken.
                    changed = [f for f in changed if f not in (before.get(TO_CONFIRM_SLOT) or [])]
                extra: Dict[Text, Any] = {**{f: found[f] for f in changed}}
                if facts.where_place and facts.where_place != before.get("person_place") and not agreed:
                    extra["person_place"] = facts.where_place
                if facts.nationality and facts.nationality != before.get("nationality"):
                    extra["nationality"] = facts.nationality
                corrects = requested == CONFIRMED_SLOT and bool(changed) and not agreed
                if agreed and changed:
                    # "Yes, that's right, and I'm not afraid": the facts are confirmed and the new ones taken.
                    extra.update({CONFIRMED_SLOT: True, TO_CONFIRM_SLOT: None})
                if corrects:
                    # A correction ("no, I am in Libya, not Egypt") replaces what it corrects, nothing else.
                    extra.update({f: before.get(f) for f in before.get(TO_CONFIRM_SLOT) or [] if f not in changed})
                if corrects:
                    # A correction is the person's own statement: said back in one line, then the questions go on.
                    values = {**tracker.slots, **extra}
                    extra.update({CONFIRMED_SLOT: True, TO_CONFIRM_SLOT: None})
                    noted = self._summary(session, values, [f for f in FORM_FIELDS if f in changed],
                                          language_of(tracker))
                    if noted:  # a fact the summary has no words for is taken silently, never "noted: ."
                        dispatcher.utter_message(response="utter_facts_noted", facts=noted)
                elif requested != CONFIRMED_SLOT and worth_confirming(changed, requested):
                    values = {**tracker.slots, **extra}
                    to_confirm = [f for f in FORM_FIELDS if values.get(f) is not None and f in changed]
                    extra.update({TO_CONFIRM_SLOT: to_confirm, CONFIRMED_SLOT: None,
                                  SUMMARY_SLOT: self._summary(session, values, to_confirm, language_of(tracker))})
        except common.DirectoryUnavailable:
            return events
        tracker.slots.update(extra)
        merged = {e["name"]: e["value"] for e in events}
        merged.update(extra)
        return [SlotSet(name, value) for name, value in merged.items()]

    @staticmethod
    def _summary(session: Any, values: Dict[Text, Any], fields: List[str], language: str) -> str:
        place = values.get("person_place")
        place_info = queries.place(session, place, language) if place else None
        if place_info and place_info.country_code != values.get("host_country"):
            place_info = None
        return facts_summary(values, fields, place_info.name if place_info else None,
                             lambda code: queries.country_name(session, code, language) or code, language)

    def _confirmation(self, tracker: Tracker) -> Optional[bool]:
        """The yes or no said to the confirmation line: the word the answer starts with ("eh sa7 w la2 mish
        5ayef": yes), else the NLU's affirm or deny; None for neither (a correction)."""
        answer = opening_yes_or_no(common.latest_text(tracker), self._options("yes_no"))
        if answer is None:
            answer = {"affirm": True, "deny": False}.get(common.latest_intent(tracker) or "")
        return answer

    def _agreed(self, tracker: Tracker) -> bool:
        return self._confirmation(tracker) is True

    async def extract_facts_confirmed(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: DomainDict) -> Dict[Text, Any]:
        """Yes: the questions go on. No: the facts taken from the message are asked one by one."""
        if not answering(tracker, CONFIRMED_SLOT):
            return {}
        answer = self._confirmation(tracker)
        if answer is None:
            return {}  # a correction or other facts: read by the free-text step, confirmed again
        if answer:
            return {CONFIRMED_SLOT: True, TO_CONFIRM_SLOT: None}
        wrong = tracker.get_slot(TO_CONFIRM_SLOT) or []
        return {CONFIRMED_SLOT: True, TO_CONFIRM_SLOT: None, **{field: None for field in wrong}}

    async def extract_host_country(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> Dict[Text, Any]:
        if not answering(tracker, "host_country") or asks_something_else(tracker):
            return {}
        return extract_country(tracker, dispatcher, "host_country")

    async def extract_origin_country(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> Dict[Text, Any]:
        if not answering(tracker, "origin_country") or asks_something_else(tracker):
            return {}
        return extract_country(tracker, dispatcher, "origin_country", location_answers=False)

    async def extract_wants_return(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> Dict[Text, Any]:
        return read_yes_no("wants_return", self._options, dispatcher, tracker)

    async def extract_fears_persecution(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                        domain: DomainDict) -> Dict[Text, Any]:
        return read_yes_no("fears_persecution", self._options, dispatcher, tracker)

    async def extract_lacks_means(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Dict[Text, Any]:
        return read_yes_no("lacks_means", self._options, dispatcher, tracker)

    async def extract_situation(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> Dict[Text, Any]:
        if not answering(tracker, "situation"):
            return {}
        options = self._options("situation")
        value = common.latest_entity(tracker, "situation")
        value = value if value in options else match_option(common.latest_text(tracker), options)
        if value is None and common.latest_intent(tracker) == "deny" and "other" in options:
            value = "other"  # "non", "لا", "no, none of these": none of the situations listed (as for vulnerabilities)
        if value is None:
            return unread_or_own_question("situation", "utter_choose_button", dispatcher, tracker)
        return {"situation": value}

    async def extract_vulnerabilities(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: DomainDict) -> Dict[Text, Any]:
        if not answering(tracker, "vulnerabilities"):
            return {}
        options = self._options("vulnerabilities")
        chosen = [v for v in common.latest_entities(tracker, "vulnerability") if v in options]
        if chosen:
            return {"vulnerabilities": sorted(set(chosen))}
        if common.latest_intent(tracker) == "deny":
            return {"vulnerabilities": ["none"]}
        value = vulnerabilities_from(common.latest_text(tracker), options)
        if value is None:
            return unread_or_own_question("vulnerabilities", "utter_choose_button_or_skip", dispatcher, tracker)
        return {"vulnerabilities": value}

    @staticmethod
    def _options(field: str) -> Options:
        try:
            with common.directory() as session:
                return queries.form_options(session, field)
        except common.DirectoryUnavailable:
            return {}


def explain(result: Outcome, language: str) -> str:
    if result.eligible:
        parts = [t("utter_txt_eligible_header", language)]
        parts += [t("utter_txt_eligible_programme", language, name=a.programme.name, summary=a.programme.summary,
                    reasons=joined(a.reasons_met, language, "utter_txt_reason_separator"),
                    next_step=a.programme.next_step) for a in result.eligible]
        parts.append(t("utter_txt_final_decision", language))
        return "\n".join(parts)
    reasons: List[str] = []
    for a in result.not_eligible:
        reasons += [r for r in a.reasons_unmet if r not in reasons]
    return t("utter_txt_not_eligible", language, reasons=joined(reasons, language, "utter_txt_reason_separator"))


class ActionEligibilityResult(Action):
    def name(self) -> Text:
        return "action_eligibility_result"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        answers = {f: tracker.get_slot(f) for f in FORM_FIELDS}
        reset = [SlotSet(f, None) for f in RESET_AFTER_RESULT]
        language = language_of(tracker)
        try:
            with common.directory() as session:
                programmes = queries.programmes(session, language)
                if questions_still_needed(programmes, answers, [name for name, _ in queries.form_fields(session)]):
                    # The person left the questions (validate_eligibility_form emptied the answers).
                    dispatcher.utter_message(response="utter_form_stopped")
                    return reset
                result = outcome(programmes, answers)
                if result.refer_asylum:  # the same protection route as anywhere else (actions.safety)
                    dispatcher.utter_message(response="utter_refer_protection")
                    shown = protection_offices(session, dispatcher, answers.get("host_country"), language)
                    # The fear is remembered as the route itself (as action_protection does): a return asked
                    # for later ("non attend, jveu juste rentrer avec l'OIM") asks the fear question again
                    # instead of answering the same refusal at once.
                    return reset + shown + [SlotSet("fears_persecution", None), SlotSet(PROTECTION_SLOT, True)]
                next_buttons = "utter_txt_eligible_next" if result.eligible else "utter_txt_not_eligible_next"
                dispatcher.utter_message(text=explain(result, language), buttons=buttons(next_buttons, language))
        except common.DirectoryUnavailable:
            return common.apologise(dispatcher)
        return reset

