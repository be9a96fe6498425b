"""Multilingual sentence embeddings as dense sentence features (for the intent classifier).

Word and character counts only know the words seen in training: "my boss kept my pay" and "he never
paid me" share no word, and neither shares one with "ما عطاني حقي". A multilingual sentence encoder maps
sentences that mean the same thing close together, in any of its languages. Each featurizer in config.yml
names one encoder (`bot.encoders`: `use` or `e5`); their weights ship inside pip packages, so nothing is
downloaded at run time.

Only the sentence feature is added: nothing in the pipeline reads token-level features."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.embedding_cache import EmbeddingCache
from bot.encoders import ENCODERS, encoder
from bot.normalise import ARABIC_DIACRITICS

logger = logging.getLogger(__name__)

DEFAULT_ENCODER = "use"
BATCH_SIZE = 256


def without_arabic_diacritics(text: str) -> str:
    """The same words, vowelled fully, partly or not at all (or stretched with tatweel), get the same vector,
    as they get the same tokens (`bot.normalise`). On the cross-validation folds this changed Arabic
    macro-F1 by less than its noise (0.835 against 0.838); it is kept for that consistency."""
    return ARABIC_DIACRITICS.sub("", text)


def embed(texts: List[str], encoder_name: str = DEFAULT_ENCODER, cache: Optional[EmbeddingCache] = None
          ) -> np.ndarray:
    """(len(texts), dimensions) float32 embeddings; a blank text gets a zero vector (it means nothing). With a
    cache (training), texts embedded by an earlier training are not embedded again."""
    model = encoder(encoder_name)
    vectors = np.zeros((len(texts), model.dimensions), dtype=np.float32)
    wanted = [i for i, text in enumerate(texts) if text and text.strip()]
    if not wanted:
        return vectors
    normalised = [without_arabic_diacritics(texts[i]) for i in wanted]

    def compute(batch: List[str]) -> np.ndarray:
        return np.concatenate([model.encode(batch[start:start + BATCH_SIZE])
                               for start in range(0, len(batch), BATCH_SIZE)])

    vectors[wanted] = cache.embed(normalised, compute) if cache is not None else compute(normalised)
    return vectors


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEncoderFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds the message's embedding by the configured encoder as a dense sentence feature of its text."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**DenseFeaturizer.get_default_config(), "encoder": DEFAULT_ENCODER}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SentenceEncoderFeaturizer":
        return cls(execution_context.node_name, config)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if config.get("encoder", DEFAULT_ENCODER) not in ENCODERS:
            raise ValueError(f"SentenceEncoderFeaturizer: unknown encoder '{config.get('encoder')}'; "
                             f"known: {', '.join(sorted(ENCODERS))}.")

    def process(self, messages: List[Message]) -> List[Message]:
        return self._featurize(messages, cache=None)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Like `process`, reusing the vectors of examples an earlier training embedded (bot.embedding_cache)."""
        self._featurize(training_data.training_examples, EmbeddingCache(self._encoder_name))
        return training_data

    @property
    def _encoder_name(self) -> str:
        return self._config.get("encoder", DEFAULT_ENCODER)

    def _featurize(self, messages: List[Message], cache: Optional[EmbeddingCache]) -> List[Message]:
        with_text = [m for m in messages if m.get(TEXT) is not None]
        vectors = embed([m.get(TEXT) for m in with_text], self._encoder_name, cache)
        for message, vector in zip(with_text, vectors):
            message.add_features(Features(vector.reshape(1, -1), FEATURE_TYPE_SENTENCE, TEXT, self._identifier))
        return messages
