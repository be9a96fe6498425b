"""The safety rules (data/safety/rules.yml through bot/safety.py): what each rule notices, what it leaves
alone, and what Haven does next at any point of a conversation."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot import safety
from bot.safety import SafetyRules, next_action, protected_response, without_return_offers

ROOT = Path(__file__).resolve().parents[2]
RULES = SafetyRules.load(ROOT / "data" / "safety" / "rules.yml")


def rule_of(text: str, classified: dict | None = None) -> str | None:
    found = RULES.match(text, classified)
    return found.id if found else None


@pytest.mark.parametrize("text,expected", [
    # fear of harm at home
    ("if they deport me to eritrea the army will kill me", "fear_of_return"),
    ("i am scared of going back, they will torture me", "fear_of_return"),
    ("please dont send me back", "fear_of_return"),
    ("j'ai peur d'être expulsé vers le Soudan", "fear_of_return"),
    ("si je rentre au pays ils vont me tuer", "fear_of_return"),
    ("خايفة من الترحيل", "fear_of_return"),
    ("لو رجعت البلد هيقتلوني", "fear_of_return"),
    ("khayef men el tar7il", "fear_of_return"),
    # danger where the person is
    ("there is shooting in our street", "danger"),
    ("we are trapped in the building", "danger"),
    ("ça tire partout dehors", "danger"),
    ("il y a des bombardements à côté", "danger"),
    ("في ضرب نار قدام البيت", "danger"),
    ("القصف قريب مننا", "danger"),
    ("fi darb nar bara", "danger"),
    # confinement and exploitation
    ("my madam locked me in the room", "confinement"),
    ("the boss keeps my passport", "confinement"),
    ("they sold me to another man", "confinement"),
    ("mon patron garde mon passeport", "confinement"),
    ("elle me laisse pas sortir de la maison", "confinement"),
    ("الكفيل حابسني في البيت", "confinement"),
    ("المدام ما بتخليني اطلع", "confinement"),
    ("el kafil 5ad el basbor", "confinement"),
    # safe again
    ("we are safe now", "safe_now"),
    ("on est en sécurité maintenant", "safe_now"),
    ("الحمد لله صرنا بامان", "safe_now"),
])
def test_each_rule_notices_its_messages(text: str, expected: str) -> None:
    assert rule_of(text) == expected


@pytest.mark.parametrize("text", [
    "i want to go back to ghana, i have no money",
    "I am a rejected asylum seeker and I want to go home",
    "the police took my passport at the checkpoint",
    "where is a clinic in benghazi",
    "i have my passport with me",
    "do i need to take my passport",
    "je veux rentrer chez moi au Mali",
    "enlève mon numéro",
    "عايز ارجع مصر",
    "جوازي معي",
    "what can you do",
])
def test_ordinary_messages_are_left_to_the_classifier(text: str) -> None:
    assert rule_of(text) is None


def test_a_rule_yields_to_an_intent_the_classifier_is_sure_of() -> None:
    text = "i have not heard from my family since the bombing in Tyre"
    assert rule_of(text) == "danger"
    assert rule_of(text, {"name": "ask_family_tracing", "confidence": 0.9}) is None
    assert rule_of(text, {"name": "ask_family_tracing", "confidence": 0.3}) == "danger"  # not sure: danger wins


def test_rules_are_tried_in_the_order_of_the_file() -> None:
    assert rule_of("they are shooting here and my boss locked the door") == "danger"


def test_a_broken_rules_file_names_the_problem(tmp_path: Path) -> None:
    broken = tmp_path / "rules.yml"
    broken.write_text(yaml.safe_dump({"safety_rules": [{"id": "x", "action": "action_emergency",
                                                  "patterns": ["(unclosed"]}]}), encoding="utf-8")
    problems = safety.rules_problems(broken, {"actions": ["action_emergency", "action_urgent_followup"]})
    assert problems and "error" in problems[0]


def test_the_shipped_rules_name_only_known_actions_and_intents() -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert safety.rules_problems(ROOT / "data" / "safety" / "rules.yml", domain) == []


def test_the_live_rules_keep_the_last_good_file_when_an_edit_breaks_it(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "rules.yml"
    good = {"safety_rules": [{"id": "danger", "intent": "emergency", "action": "action_emergency",
                              "patterns": ["boom"]}]}
    path.write_text(yaml.safe_dump(good), encoding="utf-8")
    monkeypatch.setenv("HAVEN_SAFETY_RULES", str(path))
    live = safety._LiveRules()
    assert live.get().match("boom").id == "danger"
    path.write_text("safety_rules: [{id: x, action: y, patterns: ['(']}]", encoding="utf-8")
    import os
    os.utime(path, (1, 1))
    assert live.get().match("boom").id == "danger"


# --- what happens next --------------------------------------------------------------------------------------

DANGER, SAFE = RULES.by_id("danger"), RULES.by_id("safe_now")


def decide(**kwargs) -> str | None:
    defaults = dict(user_just_spoke=True, latest_action="action_listen", rule=None, intent="greet",
                    urgent_case_open=False, rules=RULES)
    return next_action(**{**defaults, **kwargs})


def test_a_safety_message_leads_to_its_action_wherever_it_comes() -> None:
    assert decide(rule=DANGER) == "action_emergency"
    assert decide(intent="fear_of_return") == "action_protection"  # the classifier found it
    assert decide(intent="report_exploitation") == "action_report_exploitation"


def test_after_a_safety_action_haven_listens() -> None:
    assert decide(user_just_spoke=False, latest_action="action_protection") == "action_listen"


def test_while_an_urgent_case_is_open_every_message_is_answered_urgently() -> None:
    for intent in ("nlu_fallback", "ask_return_steps", "affirm", "out_of_scope", "inform"):
        assert decide(intent=intent, urgent_case_open=True) == "action_urgent_followup"
    assert decide(intent="forget_me", urgent_case_open=True) is None  # privacy is answered by its own rule


def test_saying_you_are_safe_closes_only_an_open_case() -> None:
    assert decide(rule=SAFE, urgent_case_open=True) == "action_urgent_closed"
    assert decide(rule=SAFE, urgent_case_open=False) is None


def test_other_turns_are_left_to_the_other_policies() -> None:
    assert decide(intent="greet") is None
    assert decide(user_just_spoke=False, latest_action="utter_greet") is None


def test_after_the_protection_route_no_embassy_and_no_return_offer() -> None:
    known = {"utter_lost_documents": [], "utter_lost_documents_protection": []}
    assert protected_response("utter_lost_documents", True, known) == "utter_lost_documents_protection"
    assert protected_response("utter_lost_documents", False, known) == "utter_lost_documents"
    assert protected_response("utter_greet", True, known) == "utter_greet"
    message = {"text": "x", "buttons": [{"title": "Go home", "payload": "/request_return"},
                                        {"title": "A person", "payload": "/request_human"}]}
    assert without_return_offers(message)["buttons"] == [{"title": "A person", "payload": "/request_human"}]


def test_every_response_that_names_an_embassy_has_a_protection_variant() -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    responses = domain["responses"]
    ask_for_a_text = {"utter_capabilities",  # lists what Haven can find, not advice to go there
                      "utter_ask_origin_country"}  # inside the return questionnaire, which the person asked for
    for name, variants in responses.items():
        if name.startswith("utter_txt_") or name in ask_for_a_text or name.endswith(safety.PROTECTION_VARIANT):
            continue
        if any("embass" in (v.get("text") or "").lower() for v in variants) and name.startswith("utter_"):
            assert name + safety.PROTECTION_VARIANT in responses, name


def test_the_classifier_alone_does_not_take_anyone_off_the_urgent_path() -> None:
    # "there are small children with us" taken as fear of going back by the classifier, mid-emergency
    assert decide(intent="fear_of_return", urgent_case_open=True) == "action_urgent_followup"
    assert decide(rule=RULES.by_id("fear_of_return"), urgent_case_open=True) == "action_protection"
