"""Rasa NLG that answers in the conversation's language (the `language` slot).

Configured in endpoints.yml (`nlg: type: bot.nlg.TranslatingNLG`). Responses are written once in English
in domain.yml; data/translations/<lang>.yml hold the translations. A missing translation falls back to
English and is logged."""
from __future__ import annotations

import logging
from typing import Any, Dict, Optional, Text

from rasa.core.nlg.generator import NaturalLanguageGenerator
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.translations import DEFAULT_LANGUAGE, Catalogue

logger = logging.getLogger(__name__)


class TranslatingNLG(NaturalLanguageGenerator):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None,
                 catalogue: Optional[Catalogue] = None) -> None:
        self.catalogue = catalogue or Catalogue.load()
        if domain is not None:  # the trained model's domain is what the bot runs with
            self.catalogue.english = {k: list(v) for k, v in domain.responses.items()}
        self._generators: Dict[str, TemplatedNaturalLanguageGenerator] = {}

    def _generator(self, language: str) -> TemplatedNaturalLanguageGenerator:
        if language not in self._generators:
            self._generators[language] = TemplatedNaturalLanguageGenerator(self.catalogue.responses(language))
        return self._generators[language]

    async def generate(self, utter_action: Text, tracker: DialogueStateTracker, output_channel: Text,
                       **kwargs: Any) -> Optional[Dict[Text, Any]]:
        language = tracker.get_slot("language") or DEFAULT_LANGUAGE
        if language not in self.catalogue.languages:
            language = DEFAULT_LANGUAGE
        if language != DEFAULT_LANGUAGE and not self.catalogue.translated(utter_action, language):
            logger.info("No %s translation of %s: falling back to English.", language, utter_action)
            language = DEFAULT_LANGUAGE
        return await self._generator(language).generate(utter_action, tracker, output_channel, **kwargs)
