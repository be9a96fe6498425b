"""Texts the actions compose, in the conversation's language (responses of domain.yml and their
translations in data/translations/, through bot.translations)."""
from __future__ import annotations

from typing import Any, Dict, List, Sequence

from rasa_sdk import Tracker

from bot.translations import DEFAULT_LANGUAGE, catalogue


def language_of(tracker: Tracker) -> str:
    return tracker.get_slot("language") or DEFAULT_LANGUAGE


def t(key: str, language: str, **values: Any) -> str:
    return catalogue().text(key, language, **values)


def buttons(key: str, language: str, **values: Any) -> List[Dict[str, str]]:
    return catalogue().buttons(key, language, **values)


def joined(items: Sequence[str], language: str, separator: str = "utter_txt_list_separator") -> str:
    return t(separator, language).join(items)
