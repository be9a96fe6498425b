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
    # "and afraid" joined in Arabic, someone else's fear
    ("ما عندي مصاري وخايف ارجع عسوريا", "fear_of_return"),
    ("هو خايف يرجع لبلده", "fear_of_return"),
    # safe again
    ("we are safe now", "safe_now"),
    ("on est en sécurité maintenant", "safe_now"),
    ("الحمد لله صرنا بامان", "safe_now"),
    # afraid, and cannot go back, anywhere in the message
    ("انا ما بقدر ارجع السودان، الحرب كتلت اهلنا، انا خايف", "fear_of_return"),
    ("ana 5ayef, ma ba2dar arja3 sudan", "fear_of_return"),
    ("i cant go back, they killed my brother, i am scared", "fear_of_return"),
    ("jpeu pas rentrer au pays jai peur", "fear_of_return"),
    # a denial of being held says the person is safe (it closes an urgent case), never confinement
    ("no nobody lock me. i live with 6 friends in one room", "safe_now"),
    ("why tripoli i am in misrata. i am not prisoner", "safe_now"),
    ("je suis pas enfermée", "safe_now"),
    ("انا ما محبوس انا في بنغازي", "safe_now"),
    ("mesh ma7bos", "safe_now"),
    ("they lock me in the room", "confinement"),
    ("انا محبوس في بيت الكفيل", "confinement"),
    ("ana ma7bos", "confinement"),
    ("he doesn't lock me but he keeps my passport", "confinement"),
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
    # a denied fear, "and" joined to the negation in Arabic
    "ايوه صح ومش خايف ارجع",
    "اه صح ومش خايفين من حاجة في مصر",
    "ma 3andou flous w mouch 5ayef",
    # scared, but it is the fare that keeps them from going home
    "i am scared, i cant go back home, i have no money for ticket",
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
    assert rule_of("nobody is injured") == "safe_now"  # a danger word, negated: no emergency
    assert rule_of("jsui pas blessé, je cherche un abri") is None


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
    defaults = dict(this_turn=[], rule=None, intent="greet", urgent_case_open=False, rules=RULES)
    merged = {**defaults, **kwargs}
    rule = merged.pop("rule")
    return next_action(matched=merged.pop("matched", [rule] if rule else []), **merged)


def test_a_safety_message_leads_to_its_action_wherever_it_comes() -> None:
    assert decide(rule=DANGER) == "action_emergency"
    assert decide(intent="fear_of_return") == "action_protection"  # the classifier found it
    assert decide(intent="report_exploitation") == "action_report_exploitation"


def test_after_a_safety_action_haven_listens() -> None:
    assert decide(this_turn=["action_protection"]) == "action_listen"


def test_while_an_urgent_case_is_open_every_message_is_answered_urgently() -> None:
    for intent in ("nlu_fallback", "ask_return_steps", "affirm", "out_of_scope", "inform", "forget_me"):
        assert decide(intent=intent, urgent_case_open=True) == "action_urgent_followup"
    assert decide(intent="request_human", urgent_case_open=True) is None  # a person: its own answer


def test_a_question_asked_during_an_urgent_case_is_answered_then_the_urgent_answer_follows() -> None:
    assert decide(intent="ask_health", urgent_case_open=True) == "action_health"
    assert decide(intent="ask_health", urgent_case_open=True, this_turn=["action_health"]) == "action_urgent_followup"
    assert decide(intent="ask_health", urgent_case_open=True,
                  this_turn=["action_health", "action_urgent_followup"]) == "action_listen"
    assert decide(intent="ask_return_steps", urgent_case_open=True) == "action_urgent_followup"  # unrelated: not
    assert RULES.asks_what_to_do("what do we do now??") and RULES.asks_what_to_do("شو منعمل")
    assert not RULES.asks_what_to_do("ok")


def test_saying_you_are_safe_closes_only_an_open_case() -> None:
    assert decide(rule=SAFE, urgent_case_open=True) == "action_urgent_closed"
    assert decide(rule=SAFE, urgent_case_open=False) is None
    # "the shooting stopped, we are ok": safe while a case is open, danger when nothing was open
    both = RULES.matching("the shooting stopped, we are ok")
    assert [r.id for r in both] == ["safe_now", "danger"]
    assert decide(matched=both, urgent_case_open=True) == "action_urgent_closed"
    assert decide(matched=both, urgent_case_open=False) == "action_emergency"
    assert rule_of("we are ok but they are still shooting") == "danger"


def test_other_turns_are_left_to_the_other_policies() -> None:
    assert decide(intent="greet") is None
    assert decide(this_turn=["utter_greet"]) is None
    assert decide(this_turn=None, intent="emergency") is None  # no message yet


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
                      "utter_ask_origin_country",  # inside the return questionnaire, which the person asked for
                      "utter_ask_nationality"}  # asked only of someone asking for their embassy, never on the
    # protection route (actions/centres.py answers that with utter_lost_documents_protection)
    for name, variants in responses.items():
        if name.startswith("utter_txt_") or name in ask_for_a_text or name.endswith(safety.PROTECTION_VARIANT):
            continue
        if any("embass" in (v.get("text") or "").lower() for v in variants) and name.startswith("utter_"):
            assert name + safety.PROTECTION_VARIANT in responses, name


def test_the_classifier_alone_does_not_take_anyone_off_the_urgent_path() -> None:
    # "there are small children with us" taken as fear of going back by the classifier, mid-emergency
    assert decide(intent="fear_of_return", urgent_case_open=True) == "action_urgent_followup"
    assert decide(rule=RULES.by_id("fear_of_return"), urgent_case_open=True) == "action_protection"


def test_an_unsure_guess_of_fear_of_return_is_not_taken() -> None:
    assert RULES.doubtful({"name": "fear_of_return", "confidence": 0.7})  # its next guess is taken instead
    assert not RULES.doubtful({"name": "fear_of_return", "confidence": 0.9})
    assert not RULES.doubtful({"name": "emergency", "confidence": 0.5})  # danger: any guess counts


def test_forgetting_during_an_urgent_case_needs_a_button_or_saying_it_again() -> None:
    assert decide(intent="forget_me", urgent_case_open=True) == "action_urgent_followup"
    assert decide(intent="forget_me", urgent_case_open=True, deliberate=True) is None  # its own rule erases
    assert decide(intent="forget_me", urgent_case_open=False) is None


def test_an_unsure_fear_of_return_gives_way_to_the_classifiers_next_guess() -> None:
    from bot.safety_components import next_guess

    ranking = [{"name": "fear_of_return", "confidence": 0.5}, {"name": "request_return", "confidence": 0.4}]
    guess, others = next_guess(ranking[0], ranking)
    assert guess == {"name": "request_return", "confidence": 0.4} and others == ranking[1:]
    assert next_guess(ranking[0], ranking[:1])[0]["name"] == "nlu_fallback"


def test_someone_who_says_they_are_not_afraid_is_not_taken_for_fear_of_return() -> None:
    # "yes that's right, and no, I'm not afraid of going back": neither the pattern nor a sure classifier
    for text in ("Yes, that's right. And no, I'm not afraid of going back, my children are waiting for me.",
                 "لا ما خايف من الرجوع", "jai pas peur de rentrer", "mish 5ayef arga3"):
        assert "fear_of_return" not in [rule.id for rule in RULES.matching(text)], text
        assert RULES.doubtful({"name": "fear_of_return", "confidence": 0.95}, text), text
    assert [r.id for r in RULES.matching("i am afraid of going back, they will kill me")] == ["fear_of_return"]


def test_sms_french_denial_is_no_fear_and_lifts_the_protection_route() -> None:
    from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.safety_components import lifted_protection

    rules = SafetyRules.load()
    assert rule_of("non g pa peur de rentrer, ma famille é la bas") is None
    assert rules.denies_fear("nn jai dit g PA peur!!") and not rules.denies_fear("jai peur de rentrer")

    def tracker(text: str, protected: bool) -> DialogueStateTracker:
        return DialogueStateTracker.from_events("someone", [
            ActionExecuted("action_listen"), SlotSet("protection_route", protected), UserUttered(text)])
    assert lifted_protection(tracker("nn jai dit g PA peur!!", True), rules) == [SlotSet("protection_route", False),
                                                                               SlotSet("fears_persecution", False)]
    assert lifted_protection(tracker("nn jai dit g PA peur!!", False), rules) == []
    assert lifted_protection(tracker("j'ai peur, ils vont me tuer", True), rules) == []
