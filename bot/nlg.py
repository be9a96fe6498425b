"""Rasa NLG that answers in the conversation's language (the `language` slot).

Configured in endpoints.yml (`nlg: type: bot.nlg.TranslatingNLG`). Responses are written once in English
in domain.yml; data/translations/<lang>.yml hold the translations. A missing translation falls back to
English and is logged. It is a TemplatedNaturalLanguageGenerator, so when Rasa loads a (new) model it
hands over that model's responses as the English ones.

Placeholders are filled with bot.translations.fill rather than Rasa's interpolator: Rasa's treats the JSON of a
button payload (`/inform{"country": "LY"}`) as a placeholder, fails, and logs an ERROR with the response and
the conversation's values for every such button; `fill` leaves JSON as it is."""
from __future__ import annotations

import logging
from typing import Any, Dict, Mapping, Optional, Text, Tuple

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.translations import DEFAULT_LANGUAGE, Catalogue, fill

logger = logging.getLogger(__name__)
#: The parts of a response Rasa fills placeholders in.
FILLED_KEYS = ("text", "image", "custom", "buttons", "attachment", "quick_replies")


def filled(value: Any, values: Mapping[str, Any]) -> Any:
    """`value` with {name} placeholders filled in every string it holds (lists and dicts walked)."""
    if isinstance(value, str):
        return fill(value, values)
    if isinstance(value, list):
        return [filled(item, values) for item in value]
    if isinstance(value, dict):
        return {key: filled(item, values) for key, item in value.items()}
    return value


class PayloadSafeNLG(TemplatedNaturalLanguageGenerator):
    """Rasa's templated NLG with placeholders filled by `fill` (JSON payloads left alone, nothing logged)."""

    def _fill_response(self, response: Dict[Text, Any], filled_slots: Optional[Dict[Text, Any]] = None,
                       **kwargs: Any) -> Dict[Text, Any]:
        values = self._response_variables(filled_slots, kwargs)
        for key in FILLED_KEYS:
            if key in response:
                response[key] = filled(response[key], values)
        return response


class TranslatingNLG(PayloadSafeNLG):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None,
                 catalogue: Optional[Catalogue] = None) -> None:
        self.catalogue = catalogue or Catalogue.load()
        super().__init__(dict(domain.responses) if domain is not None and domain.responses
                         else dict(self.catalogue.english))
        self._generators: Dict[Tuple[str, int], TemplatedNaturalLanguageGenerator] = {}

    def _generator(self, language: str) -> TemplatedNaturalLanguageGenerator:
        key = (language, id(self.responses))  # Rasa replaces self.responses when it loads a model
        if key not in self._generators:
            translated = self.catalogue.translations.get(language, {})
            self._generators[key] = PayloadSafeNLG(
                {name: translated.get(name) or variants for name, variants in self.responses.items()})
        return self._generators[key]

    async def generate(self, utter_action: Text, tracker: DialogueStateTracker, output_channel: Text,
                       **kwargs: Any) -> Optional[Dict[Text, Any]]:
        language = tracker.get_slot("language") or DEFAULT_LANGUAGE
        if language not in self.catalogue.languages:
            language = DEFAULT_LANGUAGE
        if language != DEFAULT_LANGUAGE and not self.catalogue.translations.get(language, {}).get(utter_action):
            logger.info("No %s translation of %s: falling back to English.", language, utter_action)
            language = DEFAULT_LANGUAGE
        if language == DEFAULT_LANGUAGE:
            return await super().generate(utter_action, tracker, output_channel, **kwargs)
        return await self._generator(language).generate(utter_action, tracker, output_channel, **kwargs)
