import pytest

from actions.gazetteer import normalise
from actions.places import read_place
from actions.common import gazetteer as build


@pytest.fixture()
def gazetteer(session):
    return build(session)


@pytest.mark.parametrize("text,expected", [
    ("Benghazi", "benghazi"), ("bengazi", "benghazi"), ("I am in benghazi now", "benghazi"),
    ("بنغازي", "benghazi"), ("Le Caire", "cairo"), ("القاهرة", "cairo"), ("القاهره", "cairo"),
    ("الاسكندرية", "alexandria"), ("Alexandrie", "alexandria"), ("alexandria", "alexandria"),
    ("shelter in Misurata plz", "misrata"), ("Beyrouth", "beirut"), ("tripoli libya", "tripoli-ly"),
])
def test_places_resolve_in_every_language_and_with_typos(gazetteer, text, expected):
    query = read_place(gazetteer, text, [])
    assert query.found is not None and query.found.entry.id == expected


def test_tripoli_is_ambiguous_until_the_country_is_known(gazetteer):
    query = read_place(gazetteer, "Tripoli", [])
    assert query.ambiguous and {m.entry.id for m in query.matches} == {"tripoli-ly", "tripoli-lb"}
    assert read_place(gazetteer, "طرابلس", [], prefer_country="LB").found.entry.id == "tripoli-lb"


@pytest.mark.parametrize("text,code", [("Libya", "LY"), ("libia", "LY"), ("ليبيا", "LY"), ("Liban", "LB"),
                                       ("الأردن", "JO"), ("الاردن", "JO"), ("Soudan", "SD")])
def test_countries_resolve(gazetteer, text, code):
    found = read_place(gazetteer, text, []).found
    assert found.entry.kind == "country" and found.entry.id == code


@pytest.mark.parametrize("text", ["my employer did not pay my salary", "I need a doctor", "ok", "1", "thank you",
                                  "where can I sleep tonight", "je ne sais pas"])
def test_ordinary_words_are_not_taken_for_places(gazetteer, text):
    assert read_place(gazetteer, text, []).matches == []


def test_an_unknown_place_is_reported_as_unknown(gazetteer):
    query = read_place(gazetteer, "shelter in Gharyan", ["Gharyan"])
    assert query.found is None and query.unknown == "Gharyan"


def test_normalise_folds_arabic_variants_and_accents():
    assert normalise("إربد") == normalise("اربد")
    assert normalise("Médenine") == "medenine"
    assert normalise("عَمّان") == normalise("عمان")


def test_a_country_in_the_same_message_settles_an_ambiguous_place(gazetteer):
    assert read_place(gazetteer, "I am trapped in Tripoli, Lebanon", ["Tripoli"]).found.entry.id == "tripoli-lb"
    assert read_place(gazetteer, "trapped in Tripoli Libya", ["Tripoli", "Libya"]).found.entry.id == "tripoli-ly"
