"""Recovering unpaid wages, savings and property: asks where the person worked and whether they are
still there, then lists the avenues open to them (MICIC guideline 14 practices)."""
from __future__ import annotations

from typing import Any, Dict, List, Sequence, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import common
from actions.directory import queries
from actions.directory.queries import Avenue

from actions.answers import match_option
from actions.eligibility_form import (UNREAD_SLOT, LeavableFormValidation, answering, asks_something_else,
                                      country_of_location, extract_country, unread_or_own_question)
from actions.texts import buttons, language_of, t
from bot.safety import OWN_STATE_AVENUES, PROTECTION_SLOT


def format_avenues(country: str, avenues: Sequence[Avenue], has_left: bool, language: str) -> str:
    lines = [t("utter_txt_avenues_left" if has_left else "utter_txt_avenues_staying", language, country=country)]
    lines += [t("utter_txt_numbered", language, number=i, title=a.title, text=a.text)
              for i, a in enumerate(avenues, start=1)]
    lines.append(t("utter_txt_evidence", language, evidence=avenues[0].evidence))
    lines.append(t("utter_txt_deadlines", language, deadline=avenues[0].deadline))
    return "\n".join(lines)


class ValidateWageForm(LeavableFormValidation):
    cleared_when_left = ["work_country", "still_in_country", UNREAD_SLOT]

    def name(self) -> Text:
        return "validate_wage_form"

    async def extract_work_country(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") is None:
            # The message that started the form may already say where ("my boss in Benghazi..."); it wins over
            # the country remembered from an earlier answer.
            if common.latest_entities(tracker, "country") or common.latest_entities(tracker, "city"):
                found = extract_country(tracker, CollectingDispatcher(), "work_country")
                named, known = found.get("work_country"), tracker.get_slot("work_country") or \
                    tracker.get_slot("host_country")
                if named and known and named != known and named not in common.HOST_COUNTRIES:
                    return {}  # home named in passing ("if i go home to bangladesh i lose the money?")
                return found if named else {}
            return {}
        if not answering(tracker, "work_country") or asks_something_else(tracker):
            return {}
        return extract_country(tracker, dispatcher, "work_country")

    async def extract_still_in_country(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                       domain: DomainDict) -> Dict[Text, Any]:
        """Typed answers such as "no, I left already" (buttons and plain yes/no are mapped by the domain).
        An answer it cannot read gets "please choose a button" and the question again, like the
        eligibility form's, rather than leaving the turn without a reply. A shared location answers too:
        in the country where the person worked means still there, in another known country means left."""
        if not answering(tracker, "still_in_country") or tracker.get_slot("still_in_country") is not None:
            return {}
        if common.location_shared(tracker):
            here = country_of_location(tracker, dispatcher)
            return {"still_in_country": None if here is None else here == tracker.get_slot("work_country")}
        try:
            with common.directory() as session:
                options = queries.form_options(session, "still_in_country")
        except common.DirectoryUnavailable:
            return {}
        answer = match_option(common.latest_text(tracker), options)
        if answer is None:
            return unread_or_own_question("still_in_country", "utter_choose_button", dispatcher, tracker)
        return {"still_in_country": answer == "yes"}


class ActionWageRecovery(Action):
    def name(self) -> Text:
        return "action_wage_recovery"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        country = tracker.get_slot("work_country")
        has_left = tracker.get_slot("still_in_country") is False
        reset = [SlotSet("work_country", None), SlotSet("still_in_country", None)]
        language = language_of(tracker)
        if country is None or tracker.get_slot("still_in_country") is None:
            # The person left the questions (validate_wage_form emptied the answers).
            dispatcher.utter_message(response="utter_form_stopped")
            return reset
        try:
            with common.directory() as session:
                name = queries.country_name(session, country, language) or country
                avenues = queries.wage_avenues(session, country, has_left, language)
            if tracker.get_slot(PROTECTION_SLOT):  # never through the state they fear (bot.safety)
                avenues = [a for a in avenues if a.kind not in OWN_STATE_AVENUES]
        except common.DirectoryUnavailable:
            return common.apologise(dispatcher)
        # Where the person worked and whether they left stay known (asked again they would be "facts asked
        # again"); a new question about wages naming another country replaces them (validate_wage_form).
        if not avenues:
            dispatcher.utter_message(response="utter_no_wage_info", country=name)
            return []
        dispatcher.utter_message(text=format_avenues(name, avenues, has_left, language),
                                 buttons=buttons("utter_txt_wage_next", language))
        return []
