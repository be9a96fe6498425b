"""The everyday-conversation checker sees a question Haven asks inside a longer answer
(tests/conversations/everyday.py)."""
from __future__ import annotations

from actions.texts import t
from tests.conversations.everyday import asked
from tests.conversations.safety_matrix import TurnResult


def result(text: str) -> TurnResult:
    return TurnResult(messages=[{"text": text}], actions=["action_health"], slots={}, active_loop=None)


def test_a_town_question_inside_the_emergency_numbers_is_a_question():
    answer = "\n".join(["Emergency numbers:", "• Libya: police 1515", t("utter_txt_tell_town", "ar")])
    assert asked(result(answer), [], "ar") == {"place"}
    assert asked(result("Emergency numbers:\n• Libya: police 1515"), [], "ar") == set()
    assert asked(result("anything"), ["utter_ask_place"], "en") == {"place"}
