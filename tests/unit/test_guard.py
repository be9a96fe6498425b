from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

from bot.channels.guard import APOLOGY_RESPONSE, UNSURE_RESPONSE, apology_response, events_of_last_turn, failed_actions

CUSTOM = {"action_find_centres", "eligibility_form", "action_emergency"}


def turn(*events):
    return events_of_last_turn([UserUttered("old"), ActionExecuted("action_listen"), UserUttered("new"), *events])


def test_a_custom_action_that_left_no_event_failed():
    events = turn(ActionExecuted("action_find_centres"), ActionExecuted("action_listen"))
    assert failed_actions(events, CUSTOM) == ["action_find_centres"]


def test_a_custom_action_that_answered_did_not_fail():
    events = turn(ActionExecuted("action_find_centres"), BotUttered("here"), ActionExecuted("action_listen"))
    assert failed_actions(events, CUSTOM) == []


def test_a_form_whose_validation_failed_is_caught():
    events = turn(ActionExecuted("eligibility_form"), ActionExecuted("action_listen"))
    assert failed_actions(events, CUSTOM) == ["eligibility_form"]


def test_responses_and_slots_are_not_failures():
    events = turn(ActionExecuted("utter_greet"), BotUttered("hi"), ActionExecuted("action_emergency"),
                  SlotSet("handoff_priority", "urgent"))
    assert failed_actions(events, CUSTOM) == []


def test_only_the_last_turn_counts():
    events = [UserUttered("a"), ActionExecuted("action_find_centres"), ActionExecuted("action_listen"),
              UserUttered("b"), ActionExecuted("utter_greet"), BotUttered("hi")]
    assert failed_actions(events_of_last_turn(events), CUSTOM) == []


def test_a_silent_core_fallback_asks_for_other_words():
    events = turn(ActionExecuted("action_default_fallback"), ActionExecuted("action_listen"))
    assert apology_response(events, CUSTOM) == UNSURE_RESPONSE


def test_a_failed_action_gets_the_service_apology_even_after_a_core_fallback():
    assert apology_response(turn(ActionExecuted("action_find_centres"), ActionExecuted("action_listen")),
                            CUSTOM) == APOLOGY_RESPONSE
    events = turn(ActionExecuted("eligibility_form"), ActionExecuted("action_default_fallback"),
                  ActionExecuted("action_listen"))
    assert apology_response(events, CUSTOM) == APOLOGY_RESPONSE
