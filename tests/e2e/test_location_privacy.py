"""A shared location is kept only to ~1 km (2 decimals), as the privacy page promises: a precise position sent
through a channel must not appear in the stored conversation (message text, entities, slots, any event) nor
in the logs of Rasa and the action server, and the user still gets the centres near them.

`assert_no_precise_location` is meant for every channel's test (REST, socket.io, WhatsApp)."""
from __future__ import annotations

import json
import random
import re
from typing import Any, List

from tests.e2e.fake_graph import delivery, location, post_webhook, text

#: Tripoli, Libya, to 5 decimals (~1 m): what a phone's GPS gives. The nearest centre is IOM Libya's office.
LATITUDE, LONGITUDE = 32.88765, 13.19123
_DECIMAL = re.compile(r"-?\d+\.(\d+)(?:[eE][-+]?\d+)?")


def precise_coordinates(stored: Any, latitude: float, longitude: float) -> List[str]:
    """Every number in `stored` (a text, or anything JSON can serialise: a tracker, its events) that is
    within 0.01 of one of the coordinates and written with more than 2 decimals, i.e. more precise than the
    ~1 km Haven keeps. Numbers far from the position (timestamps, distances) do not count."""
    serialised = stored if isinstance(stored, str) else json.dumps(stored, ensure_ascii=False)
    found = []
    for match in _DECIMAL.finditer(serialised):
        if len(match.group(1).rstrip("0")) <= 2:
            continue
        value = float(match.group())
        if any(abs(abs(value) - abs(c)) < 0.01 for c in (latitude, longitude)):
            found.append(match.group())
    return found


def assert_no_precise_location(stored: Any, latitude: float, longitude: float, where: str = "tracker") -> None:
    """Fails, naming what was found, when `stored` keeps the position to more than 2 decimals."""
    found = precise_coordinates(stored, latitude, longitude)
    assert not found, f"the {where} keeps the exact location: {found[:5]}"


def test_the_helper_finds_precise_coordinates_and_only_them() -> None:
    assert precise_coordinates({"text": '{"latitude": 32.88765}'}, LATITUDE, LONGITUDE) == ["32.88765"]
    assert precise_coordinates([{"value": -13.191}], LATITUDE, LONGITUDE) == ["-13.191"]
    assert precise_coordinates('{"latitude": 32.89, "longitude": 13.19, "t": 1764571234.123456, "x": 32.100}',
                               LATITUDE, LONGITUDE) == []


def phone() -> str:
    return f"2189{random.randint(10_000_000, 99_999_999)}"


def user_events(tracker: dict) -> List[dict]:
    return [e for e in tracker["events"] if e["event"] == "user"]


def test_a_precise_whatsapp_location_is_stored_rounded_and_still_finds_the_centres(stack) -> None:
    user = phone()
    shared = location(LATITUDE, LONGITUDE)
    shared["location"].update(name="Souq al-Juma, house 12", address="Shara Omar Mukhtar 12, Tripoli")
    assert post_webhook(stack.rasa_url, delivery(user, shared)).status_code == 200
    texts = stack.graph.wait_for(user, lambda t: "km" in t)
    assert any("IOM Libya" in t for t in texts)

    # A user who types the widget's payload by hand is rounded too.
    typed = f'/share_location{{"latitude": "{LATITUDE}", "longitude": {LONGITUDE}, "accuracy": 3.14159}}'
    assert post_webhook(stack.rasa_url, delivery(user, text(typed))).status_code == 200
    stack.graph.wait_for(user, lambda t: sum("IOM Libya" in x for x in stack.graph.texts_to(user)) >= 2)

    tracker = stack.tracker(user)
    assert_no_precise_location(tracker, LATITUDE, LONGITUDE)
    first, second = user_events(tracker)[-2:]
    assert first["text"] == '/share_location{"latitude": 32.89, "longitude": 13.19}'
    assert {e["entity"]: e["value"] for e in first["parse_data"]["entities"]} == {"latitude": 32.89,
                                                                                  "longitude": 13.19}
    assert second["text"] == '/share_location{"latitude": "32.89", "longitude": 13.19, "accuracy": 3.14}'
    stored = json.dumps(tracker, ensure_ascii=False)
    assert "Souq" not in stored and "Mukhtar" not in stored  # the place's name and address are not kept

    for log in ("rasa.log", "actions.log"):
        assert_no_precise_location((stack.workdir / log).read_text(errors="replace"), LATITUDE, LONGITUDE, log)


def test_a_precise_location_over_rest_and_the_widget_is_stored_rounded(stack, user) -> None:
    """The REST and socket.io channels round too (bot.channels.inbound), before Rasa stores or logs anything."""
    from tests.e2e.hotline import SocketUser

    payload = f'/share_location{{"latitude": {LATITUDE}, "longitude": {LONGITUDE}}}'
    assert "IOM" in stack.say(user, payload)
    assert_no_precise_location(stack.tracker(user), LATITUDE, LONGITUDE, "REST conversation")
    widget = SocketUser(stack.rasa_url)
    try:
        widget.say(payload)
        widget.wait_for(lambda text: "IOM" in text)
        assert_no_precise_location(stack.tracker(widget.session_id), LATITUDE, LONGITUDE, "widget conversation")
    finally:
        widget.close()
    for log in ("rasa.log", "actions.log"):
        assert_no_precise_location((stack.workdir / log).read_text(errors="replace"), LATITUDE, LONGITUDE, log)
