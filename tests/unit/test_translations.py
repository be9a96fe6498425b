import copy

import pytest
import yaml

from bot.nlg import TranslatingNLG
from bot.translations import Catalogue
from scripts.check_translations import check, problems_in

ENGLISH = {
    "utter_greet": [{"text": "Hello {name}", "buttons": [{"title": "Go home", "payload": "/request_return"}]}],
    "utter_bye": [{"text": "Bye"}],
}
FRENCH = {
    "utter_greet": [{"text": "Bonjour {name}", "buttons": [{"title": "Rentrer", "payload": "/request_return"}]}],
    "utter_bye": [{"text": "Au revoir"}],
}


def test_the_shipped_catalogues_match_the_domain():
    assert check() == []


def test_a_missing_and_an_extra_key_are_named():
    french = copy.deepcopy(FRENCH)
    del french["utter_bye"]
    french["utter_hello"] = [{"text": "Salut"}]
    problems = problems_in(ENGLISH, french, "data/translations/fr.yml")
    assert "data/translations/fr.yml: utter_bye: missing" in problems
    assert "data/translations/fr.yml: utter_hello: not a response of domain.yml" in problems


def test_a_different_placeholder_is_named():
    french = copy.deepcopy(FRENCH)
    french["utter_greet"][0]["text"] = "Bonjour {nom}"
    [problem] = problems_in(ENGLISH, french, "fr.yml")
    assert problem.startswith("fr.yml: utter_greet (variant 1): text placeholders")


def test_a_different_button_payload_is_named():
    french = copy.deepcopy(FRENCH)
    french["utter_greet"][0]["buttons"][0]["payload"] = "/retour"
    [problem] = problems_in(ENGLISH, french, "fr.yml")
    assert "button 1 payload '/retour' differs" in problem


def test_check_reads_the_files(tmp_path):
    (tmp_path / "data" / "translations").mkdir(parents=True)
    (tmp_path / "domain.yml").write_text(yaml.safe_dump({"responses": ENGLISH}))
    (tmp_path / "data" / "translations" / "fr.yml").write_text(yaml.safe_dump({"utter_greet": FRENCH["utter_greet"]}))
    assert check(tmp_path) == ["data/translations/fr.yml: utter_bye: missing"]


class Tracker:
    def __init__(self, language):
        self.language = language

    def get_slot(self, name):
        return self.language if name == "language" else None

    def current_slot_values(self):
        return {"language": self.language}


@pytest.mark.asyncio
async def test_nlg_answers_in_the_slot_language_and_falls_back_to_english(caplog):
    nlg = TranslatingNLG(catalogue=Catalogue(copy.deepcopy(ENGLISH), {"fr": {"utter_greet": FRENCH["utter_greet"]}}))
    french = await nlg.generate("utter_greet", Tracker("fr"), "rest", name="Amina")
    assert french["text"] == "Bonjour Amina" and french["buttons"][0]["payload"] == "/request_return"
    with caplog.at_level("INFO"):
        fallback = await nlg.generate("utter_bye", Tracker("fr"), "rest")
    assert fallback["text"] == "Bye"
    assert "No fr translation of utter_bye" in caplog.text
    assert (await nlg.generate("utter_greet", Tracker(None), "rest", name="A"))["text"] == "Hello A"


def test_fill_leaves_json_payloads_alone():
    from bot.translations import fill

    assert fill('/find_support_center{"service_type": "x"}', {}) == '/find_support_center{"service_type": "x"}'
    assert fill('/ask_return_steps{{"return_phase": "{phase}"}}', {"phase": "transport"}) == \
        '/ask_return_steps{"return_phase": "transport"}'
    assert fill("Step {number} of {total}: {missing}", {"number": 1, "total": 3}) == "Step 1 of 3: {missing}"


@pytest.mark.asyncio
async def test_json_button_payloads_are_sent_as_written_and_log_no_error(caplog, capsys):
    """Issue 18 item 13: Rasa's interpolator took a payload's JSON for a placeholder and logged an ERROR with
    the response for every such button."""
    english = {"utter_where": [{"text": "In {host_country}?", "buttons": [
        {"title": "Libya", "payload": '/inform{"country": "LY"}'}]}]}
    nlg = TranslatingNLG(catalogue=Catalogue(english, {"fr": {"utter_where": [{"text": "En {host_country} ?",
                                                                                 "buttons": [{"title": "Libye",
                                                                                 "payload": '/inform{"country": "LY"}'}]}]}}))

    class Slots(Tracker):
        def current_slot_values(self):
            return {"language": self.language, "host_country": "Tunisia"}

    with caplog.at_level("DEBUG"):
        for language in ("en", "fr"):
            answer = await nlg.generate("utter_where", Slots(language), "rest")
            assert answer["buttons"][0]["payload"] == '/inform{"country": "LY"}'
            assert "Tunisia" in answer["text"]
    printed = capsys.readouterr()  # Rasa's structlog writes there, with the values in its traceback
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
    assert "Tunisia" not in caplog.text + printed.out + printed.err
    assert "interpolat" not in caplog.text + printed.out + printed.err
