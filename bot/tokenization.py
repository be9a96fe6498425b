"""Rasa tokenizer built on spaCy's rule-based tokenizers (spacy.blank: no model to download).

Token texts are normalised (bot.normalise) so that spelling variants share features; offsets stay those of
the original text. It uses the tokenizer of the message's detected language (the `spacy` code in data/languages.yml) and
spaCy's multi-language rules for anything else, so one pipeline serves every language."""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Text

import spacy
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.language import load_settings
from bot.language_detection import detected_language
from bot.normalise import normalise_word


@lru_cache(maxsize=None)
def _nlp(language: str):
    """spaCy's rule-based tokenizer for the language (data/languages.yml), or its generic one."""
    spec = load_settings().languages.get(language)
    return _blank(spec.spacy if spec else "xx")


@lru_cache(maxsize=None)
def _blank(spacy_code: str):
    return spacy.blank(spacy_code)


def warm_up() -> None:
    """Build every language's tokenizer when the model loads: building one takes about a second (spaCy compiles
    its rules), which the first person writing in that language would otherwise wait for."""
    for language in load_settings().languages:
        _nlp(language)
    _blank("xx")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class SpacyRuleTokenizer(Tokenizer):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"intent_tokenization_flag": False, "intent_split_symbol": "_", "token_pattern": None,
                "prefix_separator_symbol": None}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SpacyRuleTokenizer":
        warm_up()
        return cls(config)

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        text = message.get(attribute)
        doc = _nlp(detected_language(message) or "xx")(text)
        tokens = [Token(normalise_word(t.text), t.idx, t.idx + len(t.text)) for t in doc if not t.is_space]
        if not tokens:
            tokens = [Token(text, 0)]
        return self._apply_token_pattern(tokens)
