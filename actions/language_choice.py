"""Which language a conversation is in (the `language` slot), decided on every message.

An explicit choice ("français", "عربي", a language button) always wins and sticks; otherwise a confident
message in another supported language switches, and short or ambiguous ones ("ok", "1", "Tripoli", an
emoji) keep the current language. A first message in a language Haven does not speak gets an offer of the
languages it does speak."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Text

from rasa_sdk import Tracker, ValidationAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.language import OTHER, LanguageSettings, default_identifier

#: Detection confidence from which a message switches the conversation's language.
SWITCH_CONFIDENCE = 0.7
#: A conversation's first message sets its language on less evidence ("bonjour", "مرحبا"): there is no
#: earlier language to keep.
FIRST_MESSAGE_CONFIDENCE = 0.5


@dataclass(frozen=True)
class LanguageDecision:
    language: str
    chosen: bool
    offer_choice: bool = False


def decide(current: Optional[str], chosen: bool, detected: Mapping[str, Any], explicit: Optional[str],
           first_message: bool, settings: LanguageSettings) -> LanguageDecision:
    current = current if current in settings.languages else settings.default
    if explicit in settings.languages:
        return LanguageDecision(explicit, True)
    if chosen:
        return LanguageDecision(current, True)
    name, confidence = detected.get("name"), float(detected.get("confidence") or 0.0)
    if name in settings.languages and confidence >= (FIRST_MESSAGE_CONFIDENCE if first_message else SWITCH_CONFIDENCE):
        return LanguageDecision(name, False)
    if first_message and name == OTHER and confidence >= SWITCH_CONFIDENCE:
        return LanguageDecision(current, False, offer_choice=True)
    return LanguageDecision(current, False)


def explicit_choice(tracker: Tracker, settings: LanguageSettings) -> Optional[str]:
    """A language asked for by a button or payload (`language` entity; the last one named, as in "my English
    is bad, Arabic please") or by its name alone."""
    named = [e["value"] for e in tracker.latest_message.get("entities", [])
             if e.get("entity") == "language" and e.get("value") in settings.languages]
    return named[-1] if named else settings.named(tracker.latest_message.get("text") or "")


def user_messages(tracker: Tracker) -> int:
    return sum(1 for e in tracker.events if e.get("event") == "user")


class ValidateSlotMappings(ValidationAction):
    """Rasa runs this after every user message (custom slot mappings)."""

    def name(self) -> Text:
        return "action_validate_slot_mappings"

    async def extract_language(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> Dict[Text, Any]:
        settings = default_identifier().settings  # read once per process, not on every message
        decision = decide(
            current=tracker.get_slot("language"), chosen=bool(tracker.get_slot("language_chosen")),
            detected=tracker.latest_message.get("language") or {}, explicit=explicit_choice(tracker, settings),
            first_message=user_messages(tracker) <= 1, settings=settings,
        )
        if decision.offer_choice:
            dispatcher.utter_message(response="utter_language_offer")
        return {"language": decision.language, "language_chosen": decision.chosen}

    async def extract_language_chosen(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: DomainDict) -> Dict[Text, Any]:
        return {}  # set together with `language` above
