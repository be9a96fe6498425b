"""Rasa NLG that answers in the conversation's language (the `language` slot).

Configured in endpoints.yml (`nlg: type: bot.nlg.TranslatingNLG`). Responses are written once in English
in domain.yml; data/translations/<lang>.yml hold the translations. A missing translation falls back to
English and is logged. Both are read from the files as they are now, not from the model: rewording a response
needs no training (scripts/train_if_changed.py leaves response texts out of the model's fingerprint).

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

from bot.safety import PROTECTION_SLOT, protected_response, without_return_offers
from bot.translations import DEFAULT_LANGUAGE, Catalogue, fill
from bot.translations import catalogue as current_catalogue

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
    """Responses as the content files say now: domain.yml's English and data/translations/ are read again when
    they change (bot.translations.catalogue), so a reworded response or a new translation is live after
    `make publish` without training a model. The model's own responses stand in for any the files lack."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None,
                 catalogue: Optional[Catalogue] = None) -> None:
        self._fixed_catalogue = catalogue
        super().__init__(dict(domain.responses) if domain is not None and domain.responses
                         else dict(self.catalogue.english))
        self._generators: Dict[Tuple[str, int, int], TemplatedNaturalLanguageGenerator] = {}

    @property
    def catalogue(self) -> Catalogue:
        return self._fixed_catalogue or current_catalogue()

    def _generator(self, language: str, catalogue: Catalogue) -> TemplatedNaturalLanguageGenerator:
        # Rasa replaces self.responses when it loads a model; the catalogue is a new object when a file changed.
        key = (language, id(self.responses), id(catalogue))
        if key not in self._generators:
            if len(self._generators) > 64:
                self._generators.clear()  # outdated catalogues and models
            translated = catalogue.translations.get(language, {}) if language != DEFAULT_LANGUAGE else {}
            english = {**self.responses, **catalogue.english}
            self._generators[key] = PayloadSafeNLG(
                {name: translated.get(name) or variants for name, variants in english.items()})
        return self._generators[key]

    async def generate(self, utter_action: Text, tracker: DialogueStateTracker, output_channel: Text,
                       **kwargs: Any) -> Optional[Dict[Text, Any]]:
        catalogue = self.catalogue
        protection_route = bool(tracker.get_slot(PROTECTION_SLOT))
        utter_action = protected_response(utter_action, protection_route, catalogue.english)
        language = tracker.get_slot("language") or DEFAULT_LANGUAGE
        if language not in catalogue.languages:
            language = DEFAULT_LANGUAGE
        if language != DEFAULT_LANGUAGE and not catalogue.translations.get(language, {}).get(utter_action):
            logger.info("No %s translation of %s: falling back to English.", language, utter_action)
            language = DEFAULT_LANGUAGE
        message = await self._generator(language, catalogue).generate(utter_action, tracker, output_channel, **kwargs)
        return without_return_offers(message) if protection_route else message
