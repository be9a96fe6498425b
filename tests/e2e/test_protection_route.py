"""After someone says they fear harm at home: no embassy, no return offer, unless they ask for return."""
from __future__ import annotations

import re

EMBASSY = re.compile(r"embass|ambassade|سفار", re.IGNORECASE)


def test_someone_who_fears_their_own_state_is_never_sent_to_an_embassy(stack, user) -> None:
    answer = stack.say(user, "I am in Tripoli Libya. I am afraid to go back to Sudan, they will kill me")
    assert "UNHCR" in answer and "nobody should push you" in answer and not EMBASSY.search(answer)
    assert "UNHCR Libya" in answer  # the nearest protection office where the person is, not in Sudan

    lost = stack.say(user, "they took my passport at the checkpoint, how do i get papers")
    assert "UNHCR" in lost and not EMBASSY.search(lost) and "Go home" not in lost

    stack.say(user, "my employer did not pay me for 4 months")
    stack.say(user, "Libya")
    avenues = stack.say(user, "yes i am still there")
    assert "labour" in avenues.lower() and not EMBASSY.search(avenues)


def test_return_is_still_possible_when_the_person_asks_for_it(stack, user) -> None:
    stack.say(user, "if they deport me to eritrea the army will put me in prison")
    assert stack.tracker(user)["slots"]["protection_route"] is True
    assert "Which country are you in" in stack.say(user, "I changed my mind, I want to go back home, help me return")
