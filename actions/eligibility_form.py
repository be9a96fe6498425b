"""The eligibility form: asks only what the programmes' criteria need, stops as soon as the answer is
clear, and explains the result (or refers to protection when someone fears persecution)."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import common
from actions.answers import match_option, vulnerabilities_from
from actions.centres import format_results, search
from actions.directory import queries
from actions.eligibility import Outcome, form_slots, outcome
from actions.places import read_place
from actions.texts import buttons, joined, language_of, t

FORM_FIELDS = ["host_country", "wants_return", "fears_persecution", "lacks_means", "situation",
               "vulnerabilities", "origin_country"]
#: Answers forgotten after a result, so asking again starts afresh (where the person is stays known).
RESET_AFTER_RESULT = ["wants_return", "fears_persecution", "lacks_means", "situation", "vulnerabilities"]


def answering(tracker: Tracker, slot: str) -> bool:
    return tracker.get_slot("requested_slot") == slot and common.latest_intent(tracker) not in \
        common.INTERRUPTING_INTENTS


def extract_country(tracker: Tracker, dispatcher: CollectingDispatcher, slot: str) -> Dict[Text, Any]:
    """A country code from a country or city named in the answer; asks again when unclear."""
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


class ValidateEligibilityForm(FormValidationAction):
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
        return form_slots(programmes, answers, order)

    async def extract_host_country(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> Dict[Text, Any]:
        return extract_country(tracker, dispatcher, "host_country") if answering(tracker, "host_country") else {}

    async def extract_origin_country(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> Dict[Text, Any]:
        if not answering(tracker, "origin_country"):
            return {}
        return extract_country(tracker, dispatcher, "origin_country")

    async def extract_situation(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> Dict[Text, Any]:
        if not answering(tracker, "situation"):
            return {}
        options = self._options("situation")
        value = common.latest_entity(tracker, "situation")
        value = value if value in options else match_option(common.latest_text(tracker), options)
        if value is None:
            dispatcher.utter_message(response="utter_choose_button")
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
            dispatcher.utter_message(response="utter_choose_button_or_skip")
        return {"vulnerabilities": value}

    @staticmethod
    def _options(field: str) -> Dict[str, List[str]]:
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
                result = outcome(queries.programmes(session, language), answers)
                if result.refer_asylum:
                    self._refer_to_protection(session, dispatcher, answers.get("host_country"), language)
                    return reset
                next_buttons = "utter_txt_eligible_next" if result.eligible else "utter_txt_not_eligible_next"
                dispatcher.utter_message(text=explain(result, language), buttons=buttons(next_buttons, language))
        except common.DirectoryUnavailable:
            return common.apologise(dispatcher)
        return reset

    @staticmethod
    def _refer_to_protection(session: Any, dispatcher: CollectingDispatcher, host_country: Optional[str],
                             language: str) -> None:
        dispatcher.utter_message(response="utter_refer_protection")
        place = queries.capital_like_place(session, host_country, language) if host_country else None
        if place is not None:
            results = search(session, (place.latitude, place.longitude), "refugee_protection", host_country, language)
            if results:
                dispatcher.utter_message(text=format_results(results, place.country_name, "refugee_protection",
                                                             queries.service_names(session, language), language))
