from scripts.validate_data import problems, responses_used_outside_stories

WARN = "/x/rasa/shared/utils/io.py:100: UserWarning: The utterance '{}' is not used in any story or rule."


def test_responses_used_by_forms_and_actions_are_known():
    used = responses_used_outside_stories()
    assert {"utter_ask_host_country", "utter_ask_still_in_country", "utter_service_unavailable",
            "utter_offer_human"} <= used
    assert "utter_greet" not in used  # used by a rule, not by code


def test_only_real_problems_are_reported():
    output = "\n".join([WARN.format("utter_ask_host_country"), WARN.format("utter_forgotten"),
                        "/x/rasa/shared/utils/io.py:100: UserWarning: The intent 'inform' is not used in any story."])
    assert problems(output, responses_used_outside_stories()) == [
        WARN.format("utter_forgotten"),
        "/x/rasa/shared/utils/io.py:100: UserWarning: The intent 'inform' is not used in any story.",
    ]
