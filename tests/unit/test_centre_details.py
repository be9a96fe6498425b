"""Follow-ups on the centres just shown (actions/centre_details.py)."""
from __future__ import annotations

from actions.centre_details import asked_details, detail_lines
from actions.directory import queries


def test_which_detail_is_asked(session):
    words = queries.form_options(session, "centre_details")
    assert asked_details("what is their phone number?", words) == ["phone"]
    assert asked_details("wen bezabt?", words) == ["address"]
    assert asked_details("c ouvert demain?", words) == ["hours"]
    assert asked_details("anything closer", words) == ["others"]
    assert asked_details("un ot", words) == ["others"]
    assert asked_details("details please", words) == ["phone", "address", "hours"]
    # too far: closer ones, and the detail asked with it
    assert asked_details("c tro loin zarzis, ya rien a sfax?", words) == ["others"]
    assert asked_details("طرابلس بعيدة شديد، مافي حاجة اقرب؟ وبتصل بيهم كيف، رقمهم؟", words) == ["others", "phone"]


def test_a_missing_detail_is_said_to_be_missing(session):
    centre = queries.centres_by_id(session, ["unhcr-tn-zarzis"])[0]
    lines = detail_lines([centre], ["phone"], "en")
    assert lines == [f"{centre.name}: the directory has no phone number for them yet."]


def test_embassies_only_for_consular_help_and_the_persons_nationality(session):
    anything = queries.centres(session, None, "LB")
    assert not [c for c in anything if c.serves_nationals_of]
    embassies = queries.centres(session, "consular", "LB", nationality="PH")
    assert embassies and {c.serves_nationals_of for c in embassies} == {"PH"}


def test_a_country_named_after_which_tripoli_picks_the_town(session):
    from actions import common
    from actions.centres import chosen_town

    gazetteer = common.gazetteer(session)
    lebanon = gazetteer.best("Lebanon")[0]
    assert chosen_town(lebanon, ["tripoli-ly", "tripoli-lb"], gazetteer).entry.id == "tripoli-lb"
    assert chosen_town(lebanon, [], gazetteer) is lebanon


def test_another_one_asks_for_other_centres(session):
    assert asked_details("فما واحد آخر؟", queries.form_options(session, "centre_details")) == ["others"]


def _after_search_in(session, place_id: str, service: str, text: str, entities):
    """What action_centre_details says to `text` after the centres for `service` near `place_id` were shown."""
    import asyncio

    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from actions.centre_details import ActionCentreDetails
    from actions.centres import last_search, search

    town = queries.place(session, place_id)
    origin = (town.latitude, town.longitude)
    shown = [c for c, _ in search(session, origin, service, town.country_code)]
    entities = [{**e, "start": text.index(e["value"]), "end": text.index(e["value"]) + len(e["value"])}
                for e in entities]
    searched = last_search(origin, town.country_code, town.name, service, None, shown)[0]["value"]
    tracker = Tracker("someone", {"language": "en", "last_search": searched},
                      {"text": text, "intent": {"name": "find_support_center", "confidence": 0.9},
                       "entities": entities}, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionCentreDetails().run(dispatcher, tracker, {}))
    return shown, dispatcher.messages, events


def test_closer_to_another_town_with_only_the_centre_shown_says_there_is_no_other(session):
    shown, messages, events = _after_search_in(
        session, "amman", "labour_rights", "Is there anything closer? I'm staying in Zarqa and can't travel far.",
        [{"entity": "city", "value": "Zarqa"}])
    assert len(shown) == 1
    assert [m["text"] for m in messages] == ["The directory has no other centre for this near Zarqa."]
    assert messages[0]["buttons"]  # a person, offered
    assert any(e.get("name") == "person_place" and e.get("value") == "zarqa" for e in events), events


def test_another_town_named_without_asking_for_closer_shows_the_centres_from_there(session):
    _, messages, _ = _after_search_in(session, "amman", "labour_rights", "and in Zarqa?",
                                      [{"entity": "city", "value": "Zarqa"}])
    assert "near Zarqa" in messages[0]["text"]
