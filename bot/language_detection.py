"""Rasa NLU component: writes the detected language and its confidence into the parse data."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.language import detect_languages

LANGUAGE = "language"


def detected_language(message: Message) -> Optional[str]:
    """The language this component wrote into the message, if it ran on it."""
    return (message.get(LANGUAGE) or {}).get("name")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class LanguageDetector(GraphComponent):
    """Adds `language: {name, confidence}` to every message (see bot.language for how it decides)."""

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LanguageDetector":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        """Many messages at once (the training data) are shared among the cores (bot.language.detect_languages)."""
        with_text = [m for m in messages if m.get(TEXT) is not None]
        for message, detection in zip(with_text, detect_languages([m.get(TEXT) for m in with_text])):
            message.set(LANGUAGE, detection.as_dict(), add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data
