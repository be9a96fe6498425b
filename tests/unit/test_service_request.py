"""A greeting or an unclear message that names a need is a request for it (bot/service_request.py)."""
from __future__ import annotations

from bot.service_request import unwrapped_need

SHELTER = [{"entity": "service_type", "value": "shelter"}]


def test_a_named_service_in_a_greeting_is_a_search():
    assert unwrapped_need({"name": "greet", "confidence": 0.9}, [], SHELTER)["name"] == "find_support_center"


def test_a_named_service_overrules_an_unsure_guess_not_a_sure_one():
    assert unwrapped_need({"name": "ask_reintegration", "confidence": 0.47}, [], SHELTER)["name"] == \
        "find_support_center"
    assert unwrapped_need({"name": "ask_reintegration", "confidence": 0.9}, [], SHELTER) is None


def test_a_need_behind_a_greeting():
    ranking = [{"name": "nlu_fallback", "confidence": 0.45}, {"name": "greet", "confidence": 0.35},
               {"name": "ask_cash_assistance", "confidence": 0.19}]
    assert unwrapped_need({"name": "nlu_fallback", "confidence": 0.45}, ranking, []) == \
        {"name": "ask_cash_assistance", "confidence": 0.19}


def test_an_unlikely_or_unsafe_guess_stays_not_understood():
    unlikely = [{"name": "nlu_fallback", "confidence": 0.45}, {"name": "request_human", "confidence": 0.08}]
    assert unwrapped_need({"name": "nlu_fallback", "confidence": 0.45}, unlikely, []) is None
    forget = [{"name": "nlu_fallback", "confidence": 0.45}, {"name": "forget_me", "confidence": 0.44}]
    assert unwrapped_need({"name": "nlu_fallback", "confidence": 0.45}, forget, []) is None


def test_safety_intents_are_never_changed():
    assert unwrapped_need({"name": "emergency", "confidence": 0.3}, [], SHELTER) is None


def test_a_follow_up_that_names_a_service_is_a_new_search():
    # "and my embassy?" after clinics were shown
    consular = [{"entity": "service_type", "value": "consular"}]
    assert unwrapped_need({"name": "ask_centre_details", "confidence": 0.9}, [], consular)["name"] == \
        "find_support_center"


def test_a_stated_wish_to_go_back_is_a_request_to_go_back(session):
    # the questionnaire's own answer words (form_questions.yml), also for someone helped by the writer
    ranking = [{"name": "nlu_fallback", "confidence": 0.45}, {"name": "request_return", "confidence": 0.3}]
    for text in ("salam ana sudani fi el gahira dair arga3 el sudan", "عندي خدام من النيجر يبي يروح لبلاده",
                 "bonjour, elle veut rentrer chez elle"):
        assert unwrapped_need({"name": "nlu_fallback", "confidence": 0.45}, ranking, [], text) == \
            {"name": "request_return", "confidence": 0.3}
    # before a search for a service named in passing ("the hospital where I work closed")
    assert unwrapped_need({"name": "nlu_fallback", "confidence": 0.45}, ranking, SHELTER,
                          "the hospital where I work closed, I want to go home")["name"] == "request_return"
    # wages and going home in one message: the return questions first
    assert unwrapped_need({"name": "ask_wage_recovery", "confidence": 0.9}, [], [],
                          "company not pay me 3 month, i want go home")["name"] == "request_return"
    # a wish said only as a condition of a wage question: the wage question
    for text in ("if i go back home can i still get my salary from libya", "si je rentre au pays je perds mon salaire ?",
                 "لو رجعت بلدي بقدر اخد قروشي؟"):
        assert unwrapped_need({"name": "ask_wage_recovery", "confidence": 0.8}, [], [], text) is None


def test_a_wish_to_go_back_is_not_a_question_about_life_after_return(session):
    text = "i am from ethiopia, now in cairo 1 year. i want go back to addis, i have no money"
    assert unwrapped_need({"name": "ask_reintegration", "confidence": 0.46}, [], [], text)["name"] == "request_return"
    assert unwrapped_need({"name": "ask_reintegration", "confidence": 0.9}, [], [], text) is None


def test_what_haven_can_do_is_no_need_but_a_need_beside_it_is(session):
    # "what about food" after a search: torn between "what can you do" and food
    ranking = [{"name": "nlu_fallback", "confidence": 0.45}, {"name": "ask_capabilities", "confidence": 0.49},
               {"name": "ask_cash_assistance", "confidence": 0.47}]
    assert unwrapped_need({"name": "nlu_fallback", "confidence": 0.45}, ranking, [], "what about food") == \
        {"name": "ask_cash_assistance", "confidence": 0.47}


def test_a_negated_wish_or_a_sure_classifier_is_left_alone(session):
    assert unwrapped_need({"name": "nlu_fallback", "confidence": 0.45}, [], [], "ma baddi erja3") is None
    assert unwrapped_need({"name": "ask_return_steps", "confidence": 0.9}, [], [], "i want to go home, what are the steps") is None



def test_a_wage_question_naming_a_service_stays_a_wage_question():
    # "can a lawyer get my salary back?" asks about wages, not where a lawyer is
    assert unwrapped_need({"name": "ask_wage_recovery", "confidence": 0.9}, [],
                          [{"entity": "service_type", "value": "legal_aid"}], "un avocat peut récupérer mon salaire ?") is None
    # ... unless it names the town where the person wants one
    assert unwrapped_need({"name": "ask_wage_recovery", "confidence": 0.76}, [],
                          [{"entity": "service_type", "value": "legal_aid"}, {"entity": "city", "value": "Tripoli"}],
                          "i need lawyer in tripoli, agency take my 2000 dollar")["name"] == "find_support_center"
