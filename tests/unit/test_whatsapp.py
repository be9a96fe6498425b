"""The WhatsApp channel's pure parts: signatures, Meta's payloads, WhatsApp's size limits."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot.channels.inbound import rounded_location
from bot.channels.whatsapp import (InboundMessage, WhatsAppInput, StatusUpdate, channel_text, load_texts, location_payload,
                                   parse_webhook, pseudonym, signature_header, subscription_challenge,
                                   valid_signature, webhook_payload)
from bot.channels.whatsapp_api import (INTERACTIVE_BODY_LIMIT, TEXT_LIMIT, RetryPolicy, button_messages, cut,
                                       graph_error, list_message, reply_buttons_message, retry_after_seconds,
                                       split_for_body, split_text)
from bot.channels.whatsapp_store import ROOT, WhatsAppStore, contacts, database_url, utcnow
from tests import meta_payloads

SECRET = "app-secret"
WA_ID = "33612345678"


def webhook(*messages, statuses=(), phone_number_id="1234567890"):
    return meta_payloads.webhook(*messages, statuses=statuses, phone_number_id=phone_number_id, wa_id=WA_ID)


def message(kind, content, message_id="wamid.A1", **extra):
    return {"from": WA_ID, "id": message_id, "timestamp": "1718000000", "type": kind, kind: content, **extra}


# --- Signatures and verification ---

def test_a_body_signed_with_the_app_secret_is_valid():
    body = b'{"object": "whatsapp_business_account"}'
    assert valid_signature(SECRET, body, signature_header(SECRET, body))
    assert valid_signature(SECRET, body, signature_header(SECRET, body).upper().replace("SHA256=", "sha256="))


@pytest.mark.parametrize("header", [None, "", "sha256=", "sha1=" + "0" * 40, "sha256=" + "0" * 64,
                                    "sha256=xyz", "sha256=" + "a" * 63, "sha256=" + "é" * 64])
def test_missing_malformed_or_wrong_signatures_are_invalid(header):
    assert not valid_signature(SECRET, b"{}", header)


def test_a_signature_is_only_valid_for_its_body_and_secret():
    header = signature_header(SECRET, b'{"a": 1}')
    assert not valid_signature(SECRET, b'{"a": 2}', header)
    assert not valid_signature("other-secret", b'{"a": 1}', header)
    assert not valid_signature("", b'{"a": 1}', signature_header("", b'{"a": 1}'))


def test_the_challenge_is_echoed_only_for_the_right_token():
    args = {"hub.mode": "subscribe", "hub.verify_token": "tok", "hub.challenge": "1158201444"}
    assert subscription_challenge(args, "tok") == "1158201444"
    assert subscription_challenge(args, "other") is None
    assert subscription_challenge(args, "") is None
    assert subscription_challenge({**args, "hub.mode": "unsubscribe"}, "tok") is None
    assert subscription_challenge({"hub.mode": "subscribe", "hub.challenge": "1"}, "tok") is None


def test_pseudonyms_hide_the_number_but_stay_stable():
    assert WA_ID not in pseudonym(WA_ID, "k")
    assert pseudonym(WA_ID, "k") == pseudonym(WA_ID, "k") != pseudonym(WA_ID, "other")
    assert len(pseudonym(WA_ID, "k")) == len("wa:") + 12


# --- Incoming payloads ---

def test_a_text_message():
    [event] = parse_webhook(webhook(message("text", {"body": "I need a lawyer"})))
    assert event == InboundMessage("wamid.A1", WA_ID, "text", "I need a lawyer", datetime(2024, 6, 10, 6, 13, 20))


def test_a_chosen_reply_button_sends_its_id_the_rasa_payload():
    chosen = {"type": "button_reply", "button_reply": {"id": '/choose_language{"language":"fr"}', "title": "Français"}}
    [event] = parse_webhook(webhook(message("interactive", chosen, context={"from": "1555", "id": "wamid.X"})))
    assert event.text == '/choose_language{"language":"fr"}'


def test_a_chosen_list_row_sends_its_id():
    chosen = {"type": "list_reply", "list_reply": {"id": "/request_human", "title": "Talk to a person",
                                                   "description": "Someone from the hotline"}}
    [event] = parse_webhook(webhook(message("interactive", chosen)))
    assert event.text == "/request_human"


def test_a_template_quick_reply_sends_its_payload():
    [event] = parse_webhook(webhook(message("button", {"payload": "/greet", "text": "Hello"})))
    assert event.text == "/greet"


def test_a_shared_location_becomes_the_widgets_share_location_payload_rounded_to_about_a_km():
    location = {"latitude": 36.80654, "longitude": 10.18157, "name": "Tunis", "address": "Avenue Habib Bourguiba"}
    [event] = parse_webhook(webhook(message("location", location)))
    assert event.text == '/share_location{"latitude": 36.81, "longitude": 10.18}'
    assert "Tunis" not in repr(event) and "Habib" not in repr(event)  # the place's name and address stay out
    assert location_payload("-33.9", "18.4") == '/share_location{"latitude": -33.9, "longitude": 18.4}'
    assert location_payload(-0.001, 179.999) == '/share_location{"latitude": 0.0, "longitude": 180.0}'
    assert location_payload(91, 0) is None and location_payload("x", 0) is None
    assert location_payload(10 ** 400, 0) is None and location_payload(float("nan"), 0) is None


def test_every_inbound_text_is_cleaned_and_any_location_in_it_rounded():
    typed = {"body": '/share_location{"latitude": 32.88765, "longitude": 13.19123}'}
    [event] = parse_webhook(webhook(message("text", typed)))
    assert event.text == '/share_location{"latitude": 32.89, "longitude": 13.19}'
    [event] = parse_webhook(webhook(message("text", {"body": "hi \ud800\x00"})))
    assert event.text == "hi \ufffd"


@pytest.mark.parametrize("sender", ["+33612345678", "33 612345678", "abc12345", "1234", "1" * 21, "١٢٣٤٥٦٧٨",
                                    "33612345678\n", "rest-33612345678", ""])
def test_a_sender_id_that_is_not_5_to_20_digits_is_skipped_with_a_warning(sender, caplog):
    caplog.set_level("WARNING")
    assert parse_webhook(webhook(dict(message("text", {"body": "hi"}), **{"from": sender}))) == []
    if sender:
        assert "not 5-20 digits" in caplog.text and (not sender.strip() or sender.strip() not in caplog.text)
    assert len(parse_webhook(webhook(dict(message("text", {"body": "hi"}), **{"from": "12345"})))) == 1


def _deep(depth: int):
    value: object = "x"
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize("content", [
    {"object": "whatsapp_business_account", "entry": 5},
    {"object": "whatsapp_business_account", "entry": {"changes": []}},
    {"object": "whatsapp_business_account", "entry": [{"changes": "x"}]},
    {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": {"metadata": "x", "messages": 7}}]}]},
    {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": {"metadata": {"phone_number_id": [1]},
                                                                              "statuses": [{"id": _deep(500),
                                                                                            "errors": "x"}]}}]}]},
])
def test_payloads_of_the_wrong_shape_are_skipped_not_errors(content):
    assert [e for e in parse_webhook(content, "1234567890") if isinstance(e, InboundMessage)] == []


@pytest.mark.parametrize("kind,content", [
    ("text", "just a string"), ("text", {"body": ["a"]}), ("interactive", "x"),
    ("interactive", {"type": ["button_reply"]}), ("interactive", {"type": "button_reply", "button_reply": "x"}),
    ("button", ["x"]), ("location", [32.8, 13.1]), ("location", {"latitude": {"a": 1}, "longitude": 1}),
    ([1], "x"), ({"a": 1}, "x"),
])
def test_messages_of_the_wrong_shape_never_raise(kind, content):
    events = parse_webhook(webhook({"from": WA_ID, "id": "wamid.A1", "timestamp": "1718000000", "type": kind,
                                    "text": content, "interactive": content, "button": content,
                                    "location": content}))
    assert all(isinstance(e, InboundMessage) and e.text is None for e in events)


def test_a_supported_message_without_its_content_object_is_skipped_not_answered():
    assert parse_webhook(webhook(message("text", "just a string"))) == []
    assert parse_webhook(webhook(message("location", [32.8, 13.1]))) == []
    [unreadable] = parse_webhook(webhook(message("location", {"latitude": "north", "longitude": 1})))
    assert unreadable.text is None  # Meta's shape, content we cannot use: the user is told


def test_the_location_payload_is_already_what_every_channel_would_make_of_it():
    payload = location_payload(32.88765, -13.19123)
    assert payload == '/share_location{"latitude": 32.89, "longitude": -13.19}'
    assert rounded_location(payload) == payload


def test_a_body_nested_too_deeply_is_refused_with_a_reason():
    deep = b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert webhook_payload(deep) == ({}, "The body is nested too deeply.")
    assert webhook_payload(b"{no")[1] == "The body must be JSON."
    assert webhook_payload(b"\xff\xfe\xfa")[1] == "The body must be JSON."
    assert webhook_payload(b"[1]")[1] == "The body must be a JSON object."
    assert webhook_payload(b'{"object": 1}') == ({"object": 1}, None)


@pytest.mark.parametrize("kind,content", [
    ("image", {"mime_type": "image/jpeg", "sha256": "abc", "id": "MEDIA_ID"}),
    ("audio", {"mime_type": "audio/ogg; codecs=opus", "id": "MEDIA_ID", "voice": True}),
    ("sticker", {"mime_type": "image/webp", "id": "MEDIA_ID", "animated": False}),
    ("document", {"filename": "passport.pdf", "mime_type": "application/pdf", "id": "MEDIA_ID"}),
    ("video", {"mime_type": "video/mp4", "id": "MEDIA_ID"}),
    ("contacts", [{"name": {"formatted_name": "Sam"}, "phones": [{"phone": "+1 555"}]}]),
    ("reaction", {"message_id": "wamid.OUT", "emoji": "👍"}),
    ("unsupported", None),
])
def test_other_message_types_are_recognised_as_unsupported(kind, content):
    extra = {"errors": [{"code": 131051, "title": "Message type unknown"}]} if kind == "unsupported" else {}
    [event] = parse_webhook(webhook(message(kind, content, **extra)))
    assert event.message_type == kind and event.text is None


def test_status_callbacks_are_statuses_not_messages():
    statuses = [{"id": "wamid.OUT1", "status": "delivered", "timestamp": "1718000001", "recipient_id": WA_ID},
                {"id": "wamid.OUT2", "status": "failed", "timestamp": "1718000002", "recipient_id": WA_ID,
                 "errors": [{"code": 131047, "title": "Re-engagement message"}]}]
    assert parse_webhook(webhook(statuses=statuses)) == [StatusUpdate("wamid.OUT1", "delivered"),
                                                        StatusUpdate("wamid.OUT2", "failed", (131047,))]


def test_other_objects_other_numbers_and_malformed_parts_are_skipped():
    assert parse_webhook({"object": "page", "entry": []}) == []
    assert parse_webhook(["not", "a", "dict"]) == []
    assert parse_webhook(webhook(message("text", {"body": "hi"}), phone_number_id="999"), "1234567890") == []
    assert len(parse_webhook(webhook(message("text", {"body": "hi"})), "1234567890")) == 1
    broken = webhook({"id": "wamid.B", "type": "text", "text": {"body": "no sender"}}, "junk",
                     message("system", {"body": "User changed number"}))
    broken["entry"].append("junk")
    assert parse_webhook(broken) == []


def test_a_timestamp_in_the_future_counts_as_now():
    future = str(int((datetime.utcnow() + timedelta(days=2)).timestamp()) + 86400)
    [event] = parse_webhook(webhook(message("text", {"body": "hi"}, timestamp=future)))
    assert event.timestamp <= utcnow()


def test_secrets_missing_from_credentials_are_read_from_the_environment(monkeypatch, tmp_path):
    for name in ("WHATSAPP_VERIFY_TOKEN", "WHATSAPP_ACCESS_TOKEN", "WHATSAPP_PHONE_NUMBER_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WHATSAPP_APP_SECRET", "from-env")
    channel = WhatsAppInput.from_credentials({"verify_token": "v", "state_database_url": f"sqlite:///{tmp_path}/s.db",
                                              "retries": 1, "retry_base_delay": 0.1})
    assert (channel.verify_token, channel.app_secret) == ("v", "from-env")
    assert channel.client.url == "https://graph.facebook.com/v21.0//messages" and not channel.client.configured
    assert channel.client.policy.retries == 1 and WhatsAppInput.name() == "whatsapp"


# --- Texts ---

def test_channel_texts_exist_in_every_language():
    texts = load_texts()
    assert set(texts) == {"en", "fr", "ar"}
    for language, entries in texts.items():
        assert set(entries) == {"unsupported", "too_long", "choose", "menu"}, language
        assert len(entries["menu"]) <= 20
        assert "{max_chars}" in entries["too_long"]
    assert channel_text("unsupported", "de") == texts["en"]["unsupported"]
    assert "2000" in channel_text("too_long", "ar", max_chars=2000)


# --- Outgoing shapes ---

def test_short_texts_are_not_split():
    assert split_text("  Hello  ") == ["Hello"]
    assert split_text("") == []


def test_long_texts_are_split_on_paragraphs_then_lines_then_words():
    paragraphs = "\n\n".join(f"Paragraph {i}. " + "word " * 300 for i in range(10))
    parts = split_text(paragraphs)
    assert len(parts) > 1 and all(len(p) <= TEXT_LIMIT for p in parts)
    assert all(p.startswith("Paragraph") for p in parts)
    words = " ".join(["abcdefghi"] * 1000)
    parts = split_text(words)
    assert all(len(p) <= TEXT_LIMIT and not p.startswith(" ") for p in parts)
    assert " ".join(parts) == words


def test_text_without_spaces_is_cut_hard():
    parts = split_text("x" * 10000)
    assert [len(p) for p in parts] == [4096, 4096, 1808]


def test_cut_titles_stay_distinct():
    buttons = [{"title": "Voluntary return to Senegal", "payload": "/a"},
               {"title": "Voluntary return to Mali", "payload": "/b"}, {"title": "Other", "payload": "/c"}]
    [message] = button_messages("Where to?", buttons, "Choose", "Please choose:")
    titles = [b["reply"]["title"] for b in message["interactive"]["action"]["buttons"]]
    assert titles == ["Voluntary return to…", "Voluntary return… 2", "Other"]
    assert all(len(t) <= 20 for t in titles)


def test_labels_are_cut_visibly():
    assert cut("Voluntary return programmes", 20) == "Voluntary return pr…"
    assert len(cut("Voluntary return programmes", 20)) == 20
    assert cut("Short", 20) == "Short"


def test_up_to_three_buttons_become_reply_buttons_with_the_payload_as_id():
    buttons = [{"title": "English", "payload": '/choose_language{"language": "en"}'},
               {"title": "Français", "payload": '/choose_language{"language": "fr"}'},
               {"title": "A title that is far too long for WhatsApp", "payload": "/x"}]
    [message] = button_messages("Which language?", buttons, "Choose", "Please choose:")
    interactive = message["interactive"]
    assert message["type"] == "interactive" and interactive["type"] == "button"
    assert interactive["body"] == {"text": "Which language?"}
    replies = [b["reply"] for b in interactive["action"]["buttons"]]
    assert replies[0] == {"id": '/choose_language{"language": "en"}', "title": "English"}
    assert all(len(r["title"]) <= 20 for r in replies)
    assert all(b["type"] == "reply" for b in interactive["action"]["buttons"])


def test_more_than_three_buttons_become_a_list():
    buttons = [{"title": f"Service number {i} with a long name", "payload": f"/service{{\"n\": {i}}}"} for i in range(12)]
    [message] = button_messages("What do you need?", buttons, "See the choices, all of them", "Please choose:")
    interactive = message["interactive"]
    assert interactive["type"] == "list"
    assert len(interactive["action"]["button"]) <= 20
    [section] = interactive["action"]["sections"]
    rows = section["rows"]
    assert len(rows) == 10
    assert rows[0]["id"] == '/service{"n": 0}'
    assert all(len(r["title"]) <= 24 and len(r["id"]) <= 200 and len(r.get("description", "")) <= 72 for r in rows)
    assert rows[0]["description"] == "Service number 0 with a long name"


def test_payloads_longer_than_the_id_limits_are_cut():
    long_payload = "/x" + "y" * 300
    reply = reply_buttons_message("q", [{"title": "t", "payload": long_payload}])
    assert len(reply["interactive"]["action"]["buttons"][0]["reply"]["id"]) == 256
    listed = list_message("q", [{"title": "t", "payload": long_payload}] * 4, "Choose")
    assert all(len(r["id"]) == 200 for r in listed["interactive"]["action"]["sections"][0]["rows"])


def test_a_text_too_long_for_a_button_body_is_sent_first():
    text = "Background. " * 150 + "\n\nWhich do you want?"
    messages = button_messages(text, [{"title": "A", "payload": "/a"}], "Choose", "Please choose:")
    assert [m["type"] for m in messages] == ["text", "interactive"]
    assert messages[-1]["interactive"]["body"]["text"] == "Which do you want?"
    assert messages[0]["text"]["body"].startswith("Background.")
    leading, body = split_for_body("word " * 400)
    assert len(body) <= INTERACTIVE_BODY_LIMIT and leading


def test_an_empty_text_with_buttons_gets_a_body():
    [message] = button_messages("", [{"title": "A", "payload": "/a"}], "Choose", "Please choose:")
    assert message["interactive"]["body"]["text"] == "Please choose:"


# --- Client helpers and store ---

def test_retry_delays_grow_and_honour_retry_after():
    policy = RetryPolicy(retries=3, base_delay=0.5, max_delay=10)
    assert [policy.delay(a) for a in range(3)] == [0.5, 1.0, 2.0]
    assert policy.delay(0, retry_after_seconds("3")) == 3.0
    assert policy.delay(0, retry_after_seconds("600")) == 10
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") < 0 and retry_after_seconds("soon") is None


def test_graph_errors_keep_metas_code():
    error = graph_error(400, {"error": {"message": "Re-engagement message", "code": 131047}})
    assert (error.status, error.code) == (400, 131047)
    assert graph_error(502, "Bad gateway").code is None


def test_a_message_id_is_claimed_once_and_forgotten_after_a_week(tmp_path):
    store = WhatsAppStore(f"sqlite:///{tmp_path / 'state.db'}")
    old = utcnow() - timedelta(days=8)
    assert store.claim("wamid.OLD", now=old)
    assert store.claim("wamid.NEW") and not store.claim("wamid.NEW")
    assert store.prune() == 1
    assert store.claim("wamid.OLD") and not store.claim("wamid.NEW")


def test_the_service_window_follows_the_last_inbound_message(tmp_path):
    store = WhatsAppStore(f"sqlite:///{tmp_path / 'state.db'}")
    assert not store.window_open(WA_ID)
    store.record_inbound(WA_ID, utcnow() - timedelta(hours=25))
    assert not store.window_open(WA_ID)
    store.record_inbound(WA_ID, utcnow() - timedelta(hours=1))
    store.record_inbound(WA_ID, utcnow() - timedelta(hours=30))  # a late re-delivery never moves it back
    assert store.window_open(WA_ID)
    with store.engine.connect() as connection:
        assert WA_ID not in str(connection.execute(select(contacts)).fetchall())


def test_relative_sqlite_paths_are_relative_to_the_repository(monkeypatch):
    monkeypatch.delenv("HAVEN_HOTLINE_DATABASE_URL", raising=False)
    assert database_url().database == str(ROOT / "var" / "hotline.db")
    assert database_url("sqlite:////tmp/x.db").database == "/tmp/x.db"
    assert database_url("postgresql://u:p@db/haven").get_backend_name() == "postgresql"
