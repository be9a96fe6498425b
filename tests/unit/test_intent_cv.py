"""The fallback trade-off `make intent-cv` reports: what FallbackClassifier's thresholds would do."""
import numpy as np
import pytest

from scripts.intent_cv import fallback_tradeoff, macro_f1

PROBABILITIES = np.array([
    [0.90, 0.05, 0.05],  # confident
    [0.40, 0.35, 0.25],  # below the threshold
    [0.50, 0.48, 0.02],  # confident enough, but ambiguous
    [0.60, 0.30, 0.10],  # confident enough, clear
])


def test_low_and_ambiguous_confidence_fall_back():
    correct = np.array([True, True, False, False])
    result = fallback_tradeoff(PROBABILITIES, correct, threshold=0.45, ambiguity_threshold=0.05)
    assert result.fallback_rate == 0.5
    assert result.correct_lost == 0.5  # the second row was right but falls back
    assert result.wrong_caught == 0.5  # the third row was wrong and falls back; the fourth is answered
    assert result.answered_wrongly == 0.25


def test_without_thresholds_nothing_falls_back():
    correct = np.array([True, False, True, False])
    result = fallback_tradeoff(PROBABILITIES, correct, threshold=0.0, ambiguity_threshold=0.0)
    assert (result.fallback_rate, result.correct_lost, result.wrong_caught) == (0.0, 0.0, 0.0)
    assert result.answered_wrongly == 0.5


def test_macro_f1_averages_intents_equally():
    assert macro_f1(["a", "a", "a", "b"], ["a", "a", "a", "b"]) == 1.0
    assert macro_f1(["a", "a", "a", "b"], ["a", "a", "a", "a"]) == pytest.approx((6 / 7 + 0) / 2, abs=1e-4)
