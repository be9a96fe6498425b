"""Who is where: each town and country a message names, in its role (actions/facts.py), and what the forms,
the centre search and the Rasa-side policy make of it."""
from __future__ import annotations

import re
from typing import List

import pytest

from actions import common
from actions.directory import queries
from actions.eligibility_form import worth_confirming
from actions.facts import Mention, free_text_answers, read_facts
from bot.facts_policy import remembered
from bot.normalise import normalise


def mentions(gazetteer, text: str) -> List[Mention]:
    """The towns and countries of `text` as the NLU would mark them (one word or two)."""
    found, words = [], list(re.finditer(r"\w+", text))
    i = 0
    while i < len(words):
        two = text[words[i].start():words[i + 1].end()] if i + 1 < len(words) else None
        whole = gazetteer.best(two) if two else []
        if whole and whole[0].matched == normalise(two) and len(two.split()) == 2:
            found.append(Mention(two, words[i].start(), words[i + 1].end()))
            i += 2
            continue
        if gazetteer.best(words[i].group()) and len(words[i].group()) > 3:
            found.append(Mention(words[i].group(), words[i].start(), words[i].end()))
        i += 1
    return found


@pytest.fixture()
def facts_of(session):
    gazetteer = common.gazetteer(session)
    cues = queries.form_options(session, "place_roles")
    nationalities = queries.form_options(session, "nationality")

    def read(text: str):
        return read_facts(gazetteer, text, mentions(gazetteer, text), cues, nationalities, common.HOST_COUNTRIES)
    return read


def test_several_facts_each_in_its_role(facts_of):
    facts = facts_of("I am in Tripoli Libya and I want to go back to Ghana, I have no money")
    assert (facts.where_place, facts.where_country, facts.origin, facts.returning) == ("tripoli-ly", "LY", "GH", True)


def test_french_with_the_town_and_its_country(facts_of):
    facts = facts_of("je suis à Sabha en Libye, je veux rentrer au Mali, je n'ai pas d'argent")
    assert (facts.where_place, facts.where_country, facts.origin) == ("sabha", "LY", "ML")


def test_where_someone_wants_to_go_back_is_not_where_they_are(facts_of):
    facts = facts_of("3ayez arga3 masr")
    assert facts.where_country is None and facts.origin == "EG" and facts.returning


def test_the_embassy_of_a_nationality_in_the_town_where_the_person_is(facts_of):
    facts = facts_of("where is the philippine embassy in beirut")
    assert (facts.where_place, facts.nationality) == ("beirut", "PH")


def test_a_correction_names_where_the_person_is_not(facts_of):
    facts = facts_of("no, I am in Libya, not Egypt")
    assert facts.where_country == "LY" and facts.origin is None


def test_arabic_preposition_joined_to_the_town(facts_of):
    facts = facts_of("بدي مساعدة قانونية بعمان")
    assert facts.where_place == "amman"


def test_a_nationality_word(facts_of):
    assert facts_of("je suis guinéenne au caire").nationality == "GN"


def test_a_town_in_two_countries_stays_open_unless_the_country_is_said(facts_of):
    assert facts_of("i need a lawyer in tripoli").ambiguous_where == ("tripoli-ly", "tripoli-lb")
    assert facts_of("i need a lawyer in tripoli lebanon").where_place == "tripoli-lb"


def test_form_answers_in_passing(facts_of, session):
    text = "je suis à Sabha en Libye, je veux rentrer au Mali, je n'ai pas d'argent, je suis enceinte"
    found = free_text_answers(facts_of(text), text, None, lambda field: queries.form_options(session, field))
    assert found == {"host_country": "LY", "origin_country": "ML", "wants_return": True, "lacks_means": True,
                     "vulnerabilities": ["pregnancy"]}


def test_an_answer_to_a_country_question_is_not_taken_for_the_other_one(facts_of, session):
    found = free_text_answers(facts_of("Egypt"), "Egypt", "origin_country",
                              lambda field: queries.form_options(session, field))
    assert "host_country" not in found


def test_a_plain_yes_says_nothing_more(facts_of, session):
    assert free_text_answers(facts_of("yes"), "yes", "facts_confirmed",
                             lambda field: queries.form_options(session, field)) == {}


def test_facts_are_confirmed_when_several_and_where_the_person_is_among_them():
    assert worth_confirming(["host_country", "origin_country"], None)
    assert not worth_confirming(["origin_country", "wants_return"], None)  # where comes first: it is asked
    assert not worth_confirming(["host_country"], None)
    assert worth_confirming(["host_country"], "facts_confirmed")  # a correction is confirmed again


def test_the_rasa_side_keeps_only_host_countries_as_where_the_person_is(facts_of):
    assert "host_country" not in remembered(facts_of("I am back in Ethiopia now"), common.HOST_COUNTRIES)
    assert remembered(facts_of("ana masry f tarablos libya"), common.HOST_COUNTRIES)["host_country"] == "LY"


def test_every_vulnerability_taken_in_passing_can_be_said_back():
    from actions.eligibility_form import VULNERABILITY_FACTS
    from actions.facts import FREE_TEXT_VULNERABILITIES

    assert set(VULNERABILITY_FACTS) == FREE_TEXT_VULNERABILITIES


def test_a_country_right_after_a_town_is_the_towns_country(facts_of):
    # "embassy for" is a nationality cue, but a town is never a nationality, and "libya" qualifies the town
    facts = facts_of("pls where is naija embassy for tripoli libya")
    assert (facts.where_place, facts.where_country, facts.nationality) == ("tripoli-ly", "LY", "NG")


def test_a_denied_fear_is_taken_in_passing_a_stated_one_never(facts_of, session):
    def answers(text: str):
        return free_text_answers(facts_of(text), text, "facts_confirmed",
                                 lambda field: queries.form_options(session, field))
    assert answers("yes correct, and i am not afraid to go home")["fears_persecution"] is False
    assert answers("ey sa7, w le mouch 5ayef")["fears_persecution"] is False
    assert answers("ايه صح، وماهوش خايف من شي")["fears_persecution"] is False
    assert "fears_persecution" not in answers("yes, and i am afraid to go back")  # the safety rules' to answer


def test_a_child_in_passing_only_when_with_the_person(facts_of, session):
    def vulnerabilities(text: str):
        return free_text_answers(facts_of(text), text, None,
                                 lambda field: queries.form_options(session, field)).get("vulnerabilities")
    assert vulnerabilities("i am in amman with my 2 children, no money") == ["child"]
    assert vulnerabilities("no i'm not afraid of going back, my children are waiting for me") is None
    assert vulnerabilities("mes enfants m'attendent au pays, je suis malade") == ["illness"]
    assert vulnerabilities("no i not afraid. my children there with my mother, they wait me") is None


def test_arabic_and_joined_to_an_answer_and_negated_answers_of_either_kind(facts_of, session):
    def answers(text: str):
        return free_text_answers(facts_of(text), text, None, lambda field: queries.form_options(session, field))
    assert answers("انا في عمان ومش معايا فلوس")["lacks_means"] is True  # "and I don't have money"
    assert answers("يبي يروح لبلاده وماعندهش فلوس") == {"wants_return": True, "lacks_means": True}


@pytest.mark.parametrize("text, where", [
    ("c tro loin zarzis, ya rien a sfax?", "sfax"),
    ("tunis c loin. ya pas un consulat a sfax?", "sfax"),
    ("why tripoli i am in misrata", "misrata"),
    ("Tripoli is too far, anything in Misrata?", "misrata"),
    ("طرابلس بعيدة، في شي في مصراتة؟", "misrata"),
])
def test_a_town_said_to_be_far_is_not_where_the_person_is(facts_of, text, where):
    assert facts_of(text).where_place == where


def test_a_town_the_person_cannot_go_to_is_not_where_they_are(facts_of):
    assert facts_of("comment jcontacte loim? jpeu pas aller a tunis").where_place is None
