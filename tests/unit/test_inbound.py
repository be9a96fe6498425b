"""What every channel does to a user's text before Rasa sees it (bot.channels.inbound)."""
from __future__ import annotations

import json
import re

import pytest

from bot.channels.inbound import clean_text, is_location_payload, prepare, rounded_location

# --- clean_text ---


@pytest.mark.parametrize("text", [
    "I need help",
    "مرحبا، أحتاج إلى مساعدة",                       # Arabic
    "Bonjour, j'ai besoin d'aide 🙏😀",               # emoji outside the BMP
    "e\u0301 a\u0308 \u0645\u064e\u0631\u0652",       # combining marks (Latin accents, Arabic harakat)
    "👩\u200d👩\u200d👧 \u200cمی\u200cخواهم",       # ZWJ family, ZWNJ in Persian
    "🇱🇾 flags and 👍🏽 skin tones",
    "line one\nline two\ttabbed",
    "\ufeffBOM and \u202eRTL override\u202c stay",    # invisible but valid text is not ours to judge
    "",
])
def test_valid_text_survives_unchanged(text):
    assert clean_text(text) == text
    assert prepare(text) == text


@pytest.mark.parametrize("text,expected", [
    ("hi \ud800", "hi \ufffd"),                        # the lone surrogate of the issue
    ("\udc00 low first", "\ufffd low first"),
    ("\udfff\ud800", "\ufffd\ufffd"),                   # a pair in the wrong order is two lone ones
    ("a\ud83d\ude00b", "a😀b"),                         # a pair split into two code points is joined
    ("\ud800\ud800\udc00", "\ufffd𐀀"),
    ("nul\x00 inside", "nul inside"),
    ("bell\x07 escape\x1b[31m red", "bell escape[31m red"),
    ("del\x7f c1\x85\x9f", "del c1"),
    ("windows\r\nline\rbreaks", "windows\nline\nbreaks"),
])
def test_what_rasa_chokes_on_is_replaced_or_removed(text, expected):
    cleaned = clean_text(text)
    assert cleaned == expected
    cleaned.encode("utf-8")  # the tokenizer and the tracker store need exactly this to work
    assert clean_text(cleaned) == cleaned


def test_a_json_decoded_lone_surrogate_is_cleaned():
    text = json.loads('"hi \\ud800"')  # what REST, socket.io and WhatsApp bodies decode to
    with pytest.raises(UnicodeEncodeError):
        text.encode("utf-8")
    assert clean_text(text).encode("utf-8") == "hi \ufffd".encode("utf-8")


# --- rounded_location ---

def numbers_with_more_than_two_decimals(text: str) -> list:
    return re.findall(r"\d+\.\d{3,}|\d(?:_?\d)*\.\d*_|\d[eE]-?\d", text)


@pytest.mark.parametrize("text,expected", [
    ('/share_location{"latitude": 32.88765, "longitude": 13.19123}',
     '/share_location{"latitude": 32.89, "longitude": 13.19}'),
    ('/share_location{"latitude":-33.92487,"longitude":18.42406}',           # no spaces, negative
     '/share_location{"latitude": -33.92, "longitude": 18.42}'),
    ('  /share_location  {"longitude": 13.19123 ,\t"latitude" : 32.88765}  ',  # spacing, key order
     '/share_location  {"longitude": 13.19, "latitude": 32.89}'),
    ('/share_location{"latitude": 32.88765, "longitude": 13.19123, "accuracy": 14.2871, "source": "gps"}',
     '/share_location{"latitude": 32.89, "longitude": 13.19, "accuracy": 14.29, "source": "gps"}'),
    ('/share_location{"latitude": "32.88765", "longitude": " 13.19123 "}',    # numbers as strings
     '/share_location{"latitude": "32.89", "longitude": " 13.19 "}'),
    ('/share_location{"latitude": 3288765e-5, "longitude": 1.319123E1}',    # exponents
     '/share_location{"latitude": 32.89, "longitude": 13.19}'),
    ('/share_location{"latitude": "٣٢.٨٨٧٦٥", "longitude": "13.191_23"}',   # what float() also reads
     '/share_location{"latitude": "32.89", "longitude": "13.19"}'),
    ('/share_location{"latitude": "3\\u0032.88765", "longitude": 13}',       # digits as JSON escapes
     '/share_location{"latitude": "32.89", "longitude": 13}'),
    ('/share_location{"latitude": [32.88765, 32.88766], "longitude": {"v": 13.19123}}',
     '/share_location{"latitude": [32.89, 32.89], "longitude": {"v": 13.19}}'),
    ('/share_location{"latitude": 32.1, "longitude": 13}', '/share_location{"latitude": 32.1, "longitude": 13}'),
    ('/share_location@0.95{"latitude": 32.88765, "longitude": 13.19123} 1.23456',
     '/share_location@0.95{"latitude": 32.89, "longitude": 13.19} 1.23'),
    ('/find_support_center{"latitude": 32.88765, "longitude": 13.19123}',    # any payload naming a position
     '/find_support_center{"latitude": 32.89, "longitude": 13.19}'),
])
def test_location_payloads_keep_two_decimals(text, expected):
    assert rounded_location(text) == expected
    assert rounded_location(expected) == expected
    assert not numbers_with_more_than_two_decimals(rounded_location(text))


@pytest.mark.parametrize("text", [
    '/share_location{"latitude": 32.88765, "longitude": }',                  # not JSON
    '/share_location{"latitude": 32.88765, "longitude": 13.19123',            # no closing brace
    '/share_location{"latitude": "north", "longitude": 13.19123}',            # not a number
    '/share_location{"latitude": 132.88765, "longitude": 13.19123}',          # out of range
    '/share_location 32.88765 13.19123',
    '/share_location{"latitude": 32.88765}\n{"longitude": 13.19123}',         # past Rasa's one line
    '/share_location{"latitude": 9.87654e999, "longitude": 1' + "2" * 400 + '.5}',
    '/share_location{"latitude":' + "[" * 5000 + "32.88765" + "]" * 5000 + '}',  # too deep to decode
])
def test_invalid_payloads_stay_invalid_but_lose_their_precision(text):
    rounded = rounded_location(text)
    assert not numbers_with_more_than_two_decimals(rounded)
    assert "88765" not in rounded and "19123" not in rounded and "87654" not in rounded


def test_invalid_coordinates_stay_invalid_for_the_action():
    from actions.geo import valid_coordinates

    assert valid_coordinates(32.89, "13.19") and not valid_coordinates(10 ** 400, 0)
    assert not valid_coordinates(True, True) and not valid_coordinates(float("nan"), 0)

    for text in ['/share_location{"latitude": 1e999, "longitude": 13.19123}',
                 '/share_location{"latitude": 132.88765, "longitude": 13.19123}',
                 '/share_location{"latitude": 3.5e300, "longitude": 0}']:
        entities = json.loads(rounded_location(text)[len("/share_location"):])
        assert not valid_coordinates(entities["latitude"], entities["longitude"])


@pytest.mark.parametrize("text", [
    "I paid 1.23456 dinars",                                  # typed numbers are the user's words
    "share_location 32.88765",                                # not a payload: NLU's business
    '/choose_language{"language": "fr"}',
    '/find_support_center{"city": "tripoli", "service_type": "shelter"}',
    "/request_human",
])
def test_other_texts_are_unchanged(text):
    assert rounded_location(text) == text
    assert not is_location_payload(text) or text.startswith("/")


def test_prepare_cleans_then_rounds():
    assert prepare('/share_location{"latitude": 32.88765,\x00 "longitude": 13.19123}\ud800') == \
        '/share_location{"latitude": 32.89, "longitude": 13.19}\ufffd'
