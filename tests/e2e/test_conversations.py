"""End-to-end: a real trained model and a real action server, over Rasa's REST channel."""
from __future__ import annotations

import requests

from tests.e2e.stack import REST_TOKEN


def slot(stack, user, name):
    return stack.tracker(user)["slots"].get(name)


def test_eligible_stranded_migrant_gets_assisted_return_and_next_step(stack, user):
    assert "Which country are you in" in stack.say(user, "I want to go home, I have nothing left here")
    # Wanting to go home and having nothing were said in passing: not asked again (issue 21).
    assert "harmed or persecuted" in stack.say(user, "I am in Libya")
    assert slot(stack, user, "wants_return") is True and slot(stack, user, "lacks_means") is True
    assert "describes your situation" in stack.say(user, "no")
    assert "You can skip" in stack.say(user, '/inform{"situation": "stranded"}')
    assert "return to" in stack.say(user, "skip")
    answer = stack.say(user, "Mali")
    assert "IOM assisted voluntary return" in answer
    assert "Next step" in answer and "Why:" in answer
    assert "Enhanced" not in answer  # vulnerability question skipped


def test_fear_of_persecution_is_referred_to_unhcr_and_not_asked_more(stack, user):
    stack.say(user, "can you help me return to my country")
    stack.say(user, "Egypt")
    stack.say(user, "/affirm")
    answer = stack.say(user, "/affirm")  # fears harm at home
    assert "UNHCR" in answer and "protection" in answer
    assert "Next step" not in answer and "pay for the journey" not in answer
    assert "UNHCR Egypt" in answer  # nearest protection offices in the country


def test_someone_who_can_pay_is_told_why_they_do_not_qualify(stack, user):
    stack.say(user, "i want to go back home")  # wanting to go back: said, not asked again
    stack.say(user, "Tunisia")
    stack.say(user, "/deny")  # no fear of harm
    answer = stack.say(user, "/deny")  # can pay
    assert "don't fit" in answer and "lack the means" in answer


def test_centres_by_city_name_with_a_typo(stack, user):
    answer = stack.say(user, "where is a clinic in bengazi")
    assert "Benghazi" in answer and "km" in answer
    assert "Not yet verified" in answer


def test_centres_by_coordinates(stack, user):
    answer = stack.say(user, '/share_location{"latitude": 33.90, "longitude": 35.50}')
    assert "your location" in answer and answer.count("km away") == 3
    assert "Beirut" in answer


def test_centres_by_service(stack, user):
    answer = stack.say(user, '/find_support_center{"service_type": "labour_rights", "city": "Amman"}')
    assert "Tamkeen" in answer
    assert "UNHCR" not in answer


def test_unknown_place_gets_a_clear_answer(stack, user):
    answer = stack.say(user, '/find_support_center{"city": "Gharyan"}')
    assert "don't know the place" in answer and "larger town" in answer


def test_ambiguous_place_asks_which_one(stack, user):
    answer = stack.say(user, '/find_support_center{"city": "Tripoli"}')
    assert "Tripoli, Libya" in answer and "Tripoli, Lebanon" in answer


def test_wage_recovery_for_someone_who_has_left(stack, user):
    question = stack.say(user, "my employer in Libya did not pay my salary for 3 months")
    if "which country did you work" in question:
        question = stack.say(user, "Libya")
    assert "still in that country" in question
    answer = stack.say(user, "no, I left already, I am back home now")
    assert "now that you have left" in answer
    assert "Claims from home after you have left" in answer
    assert "Ministry of Labour" not in answer  # only while still in the country


def test_emergency_answers_with_numbers_and_asks_a_person_urgently(stack, user):
    answer = stack.say(user, "please help there is bombing near us in Beirut and my friend is injured")
    assert "140" in answer and "112" in answer
    assert "priority" in answer
    assert slot(stack, user, "handoff_priority") == "urgent"
    assert slot(stack, user, "handoff_reason") == "emergency"


def test_a_health_question_gets_the_ambulance_number_before_the_clinics(stack, user):
    # A health question may be an emergency the model read as a question: the number comes first.
    answer = stack.say(user, '/ask_health{"city": "Cairo"}')
    assert answer.index("ambulance 123") < answer.index("health care near Cairo")  # then the clinics there
    assert slot(stack, user, "handoff_priority") is None  # a question, not an urgent handoff


def test_two_misunderstandings_in_a_row_offer_a_person(stack, user):
    assert "other words" in stack.say(user, "/nlu_fallback")
    assert "person" in stack.say(user, "/nlu_fallback")


def test_privacy_answer(stack, user):
    answer = stack.say(user, "will you give my information to the police or immigration?")
    assert "immigration status" in answer and "nothing you write is shared" in answer


def test_a_10000_character_message_gets_a_polite_answer_and_the_conversation_goes_on(stack, user):
    answer = stack.say(user, "help " * 2000)
    assert "too long" in answer
    assert stack.tracker(user)["events"] == [] or all(
        e.get("event") != "user" for e in stack.tracker(user)["events"])
    assert "Haven" in stack.say(user, "hello")


def test_malformed_requests_get_a_clear_error(stack):
    url = f"{stack.rasa_url}/webhooks/rest/webhook"
    token = {"Authorization": f"Bearer {REST_TOKEN}"}
    broken = requests.post(url, data="{not json", headers={"Content-Type": "application/json", **token}, timeout=10)
    assert broken.status_code == 400 and "JSON" in broken.json()["error"]
    no_text = requests.post(url, json={"sender": "x"}, headers=token, timeout=10)
    assert no_text.status_code == 400 and "message" in no_text.json()["error"]


def test_a_service_asked_before_the_place_is_kept(stack, user):
    assert "Where are you" in stack.say(user, '/find_support_center{"service_type": "legal_aid"}')
    answer = stack.say(user, '/inform{"city": "Amman"}')
    assert "legal aid near Amman" in answer and "Tamkeen" in answer
    assert "legal aid" not in stack.say(user, '/find_support_center{"city": "Sfax"}').split("\n")[0]
