"""Which language a conversation is in (the `language` slot), decided on every message.

An explicit choice ("français", "عربي", a language button) always wins and sticks; otherwise a confident
message in another supported language switches, and short or ambiguous ones ("ok", "1", "Tripoli", an
emoji) keep the current language. A first message in a language Haven does not speak gets an offer of the
languages it does speak.

Pure logic: bot.language_policy applies it in the Rasa process at the first prediction after each message
(before, a call to the action server on every message did)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional

from bot.language import OTHER, LanguageSettings

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


def explicit_choice(entities: Iterable[Mapping[str, Any]], text: str, settings: LanguageSettings) -> Optional[str]:
    """A language asked for by a button or payload (`language` entity; the last one named, as in "my English
    is bad, Arabic please") or by its name alone."""
    named = [e["value"] for e in entities if e.get("entity") == "language" and e.get("value") in settings.languages]
    return named[-1] if named else settings.named(text or "")
