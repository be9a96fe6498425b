"""The training embedding cache: only unseen texts are embedded, vectors come back in order, the file is
bounded, keyed by the encoder's version, and a damaged file costs a re-embedding, not a failed training."""
from pathlib import Path
from typing import List

import numpy as np

from bot import embedding_cache
from bot.embedding_cache import EmbeddingCache


class CountingEncoder:
    def __init__(self) -> None:
        self.seen: List[str] = []

    def __call__(self, texts: List[str]) -> np.ndarray:
        self.seen += texts
        return np.array([[len(t), ord(t[0]), 1.0] for t in texts], dtype=np.float32)


def test_only_texts_not_seen_before_are_embedded(tmp_path: Path) -> None:
    encoder = CountingEncoder()
    first = EmbeddingCache("e5", tmp_path).embed(["hello", "مرحبا", "bonjour"], encoder)
    second = EmbeddingCache("e5", tmp_path).embed(["bonjour", "salut", "hello"], encoder)
    assert encoder.seen == sorted(["hello", "مرحبا", "bonjour"], key=embedding_cache.text_key) + ["salut"]
    assert np.array_equal(second[0], first[2]) and np.array_equal(second[2], first[0])
    assert np.array_equal(second[1], encoder(["salut"])[0])


def test_the_file_is_named_after_the_encoder_package_version(tmp_path: Path) -> None:
    path = EmbeddingCache("e5", tmp_path).path
    assert path.parent == tmp_path and path.name.startswith("e5-") and path.name != "e5-.npz"


def test_the_file_keeps_at_most_max_texts_and_this_trainings_last(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(embedding_cache, "MAX_TEXTS", 3)
    encoder = CountingEncoder()
    EmbeddingCache("use", tmp_path).embed(["a1", "b1", "c1"], encoder)
    EmbeddingCache("use", tmp_path).embed(["d1", "a1"], encoder)
    kept = EmbeddingCache("use", tmp_path)
    kept.load()
    assert len(kept.vectors) == 3 and embedding_cache.text_key("d1") in kept.vectors
    assert embedding_cache.text_key("a1") in kept.vectors


def test_a_damaged_file_is_ignored(tmp_path: Path) -> None:
    cache = EmbeddingCache("use", tmp_path)
    cache.path.write_bytes(b"not a numpy file")
    encoder = CountingEncoder()
    assert EmbeddingCache("use", tmp_path).embed(["x"], encoder).shape == (1, 3)
    assert encoder.seen == ["x"]


def test_the_folder_follows_rasas_cache_directory(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("RASA_CACHE_DIRECTORY", str(tmp_path))
    assert embedding_cache.cache_folder() == tmp_path / embedding_cache.FOLDER_NAME
