"""Conversation ids: a safe alphabet and one namespace per channel (issue 18, items 2 and 3)."""
import pytest

from bot.channels import ids, socket_sessions


@pytest.mark.parametrize("channel,sent,stored", [("rest", "alice", "rest-alice"), ("socketio", "abc123", "web-abc123"),
                                                 ("callback", "crm_42", "cb-crm_42"),
                                                 ("whatsapp", "212600000000", "212600000000")])
def test_each_channel_files_its_ids_in_its_own_namespace(channel, sent, stored):
    assert ids.conversation_id(channel, sent) == stored
    assert ids.channel_of(stored) == channel
    assert ids.external_id(channel, stored) == sent


def test_a_whatsapp_number_sent_over_rest_is_not_the_whatsapp_conversation():
    number = "212600000000"
    assert ids.conversation_id("rest", number) != ids.conversation_id("whatsapp", number)
    assert ids.channel_of(ids.conversation_id("rest", number)) == "rest"


@pytest.mark.parametrize("bad", ["probe user@example.org", "a/b", "../x", "é", "x" * 65, "", "a b", "a%20b",
                                 "line\nbreak", None, 42])
def test_ids_outside_the_safe_alphabet_are_refused(bad):
    for channel in ("rest", "socketio", "callback", "whatsapp"):
        with pytest.raises(ids.InvalidSenderId):
            ids.conversation_id(channel, bad)


@pytest.mark.parametrize("bad", ["+212600", "wa-1234567", "1234", "12345678901234567890123"])
def test_whatsapp_ids_are_digits_only(bad):
    with pytest.raises(ids.InvalidSenderId):
        ids.conversation_id("whatsapp", bad)


def test_only_ids_a_channel_makes_are_conversation_ids():
    assert ids.is_conversation_id("rest-a") and ids.is_conversation_id("212600000000")
    assert not ids.is_conversation_id("alice") and not ids.is_conversation_id("rest-a b")


def test_a_session_the_server_issued_verifies_and_names_a_web_conversation():
    key = b"k" * 32
    token = socket_sessions.issue(key)
    session = socket_sessions.verified_session(token, key)
    assert session and token.startswith(session + ".")
    assert socket_sessions.conversation_of(session) == f"web-{session}"


@pytest.mark.parametrize("forged", ["0123456789abcdef0123456789abcdef", "abc.def", "", None, {"id": 1},
                                    "a.b.c", "évil.sig"])
def test_a_guessed_or_forged_session_is_refused(forged):
    assert socket_sessions.verified_session(forged, b"k" * 32) is None


def test_a_token_signed_with_another_key_is_refused():
    assert socket_sessions.verified_session(socket_sessions.issue(b"a" * 32), b"b" * 32) is None
    token = socket_sessions.issue(b"a" * 32)
    session, signature = token.split(".")
    tampered = f"{session[:-1]}{'0' if session[-1] != '0' else '1'}.{signature}"
    assert socket_sessions.verified_session(tampered, b"a" * 32) is None
