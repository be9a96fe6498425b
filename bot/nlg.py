"""Rasa NLG that answers in the conversation's language (the `language` slot).

Configured in endpoints.yml (`nlg: type: bot.nlg.TranslatingNLG`). Responses are written once in English
in domain.yml; data/translations/<lang>.yml hold the translations. A missing translation falls back to
English and is logged. It is a TemplatedNaturalLanguageGenerator, so when Rasa loads a (new) model it
hands over that model's responses as the English ones."""
from __future__ import annotations

import logging
from typing import Any, Dict, Optional, Text, Tuple

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.translations import DEFAULT_LANGUAGE, Catalogue

logger = logging.getLogger(__name__)


class TranslatingNLG(TemplatedNaturalLanguageGenerator):
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
            self._generators[key] = TemplatedNaturalLanguageGenerator(
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
