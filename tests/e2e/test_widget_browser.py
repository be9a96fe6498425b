"""The web widget in a real browser (Debian's Chromium driven by Playwright; no browser download) against
the real stack: Rasa's socket.io channel behind a proxy the tests can cut, the actions and the web app.
Pages outside the stack (the quick exit's destination, an embedding site) are answered by Playwright's
routing: the tests use no network."""
from __future__ import annotations

import json
import re
import uuid
from typing import Dict, Iterator, List

import pytest
import requests

from tests.e2e.proxy import CuttableProxy
from tests.e2e.stack import ROOT, SOCKET_SECRET, free_port

SCREENSHOTS = ROOT / "docs" / "screenshots"
REPLY_TIMEOUT = 30_000


@pytest.fixture(scope="module")
def proxy(stack) -> Iterator[CuttableProxy]:
    running = CuttableProxy(stack.rasa_port, free_port()).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def web(stack, proxy) -> str:
    stack.start_web(f"http://127.0.0.1:{proxy.listen_port}")
    return stack.web_url


def open_chat(browser, web: str, width: int = 1280, height: int = 800, language: str = "en", **options):
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    page = context.new_page()
    page.goto(f"{web}/?lang={language}")
    page.locator(".toggle").click()
    page.locator(".status").wait_for(state="attached")
    page.wait_for_function("() => window.HavenWidget && window.HavenWidget.socket.connected")
    return context, page


def say(page, text: str) -> None:
    page.locator(".input").fill(text)
    page.locator(".input").press("Enter")


def bot_messages(page):
    return page.locator(".message.bot")


def wait_for_bot(page, count: int) -> None:
    page.wait_for_function(
        f"() => document.querySelector('#haven-widget').shadowRoot.querySelectorAll('.message.bot').length >= {count}",
        timeout=REPLY_TIMEOUT)


def test_english_conversation_with_a_quick_reply(browser, web):
    context, page = open_chat(browser, web)
    say(page, "hello")
    wait_for_bot(page, 1)
    assert "Haven" in bot_messages(page).nth(0).inner_text()
    page.locator(".quick-reply", has_text="Find help near me").click()
    wait_for_bot(page, 2)
    assert "Where are you" in bot_messages(page).nth(1).inner_text()
    assert page.locator(".message.user").nth(1).inner_text().endswith("Find help near me")
    page.screenshot(path=str(SCREENSHOTS / "widget-en-desktop.png"))
    context.close()


def test_a_reload_keeps_the_conversation(browser, web):
    context, page = open_chat(browser, web)
    say(page, "is there a clinic in Benghazi?")
    wait_for_bot(page, 1)
    session = page.evaluate("() => window.HavenWidget.sessionId")
    page.reload()
    page.wait_for_function("() => window.HavenWidget && window.HavenWidget.socket.connected")
    assert page.evaluate("() => window.HavenWidget.sessionId") == session
    assert "Benghazi" in bot_messages(page).nth(0).inner_text()
    assert page.locator(".message.user").count() == 1
    say(page, "thank you")
    wait_for_bot(page, 2)
    context.close()


def test_arabic_is_right_to_left_and_answered_in_arabic(browser, web):
    context, page = open_chat(browser, web, language="ar")
    assert page.locator(".panel").get_attribute("dir") == "rtl"
    say(page, "مرحبا، أين أقرب مأوى في بنغازي؟")
    wait_for_bot(page, 1)
    answer = bot_messages(page).nth(0).inner_text()
    assert "بنغازي" in answer
    page.screenshot(path=str(SCREENSHOTS / "widget-ar-desktop.png"))
    context.close()


def test_the_language_picker_switches_to_arabic(browser, web):
    context, page = open_chat(browser, web)
    page.locator(".language").select_option("ar")
    assert page.locator(".panel").get_attribute("dir") == "rtl"
    wait_for_bot(page, 1)
    assert any("\u0600" <= ch <= "\u06ff" for ch in bot_messages(page).nth(0).inner_text())
    context.close()


def test_markup_typed_by_the_user_is_shown_as_text(browser, web):
    context, page = open_chat(browser, web)
    attack = '<img src=x onerror="window.__pwned=1"><b>bold</b>'
    say(page, attack)
    wait_for_bot(page, 1)
    assert page.locator(".message.user").nth(0).inner_text().endswith(attack)
    assert page.locator(".message img, .message b").count() == 0
    assert page.evaluate("() => window.__pwned") is None
    context.close()


def test_a_dropped_connection_recovers_and_loses_nothing(browser, web, proxy):
    context, page = open_chat(browser, web)
    say(page, "hello")
    wait_for_bot(page, 1)
    proxy.cut()
    try:
        page.wait_for_function("() => !window.HavenWidget.socket.connected", timeout=20_000)
        say(page, "I need a shelter in Tunis")
        assert page.locator(".message.user.pending").count() == 1
    finally:
        proxy.restore()
    page.wait_for_function("() => window.HavenWidget.socket.connected", timeout=30_000)
    wait_for_bot(page, 2)
    assert "Tunis" in bot_messages(page).nth(1).inner_text()
    assert page.locator(".message.user.pending").count() == 0
    context.close()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_usable_at_360_pixels(browser, web, language):
    context, page = open_chat(browser, web, width=360, height=740, language=language)
    say(page, "hello" if language == "en" else "مرحبا")
    wait_for_bot(page, 1)
    box = page.locator(".panel").bounding_box()
    assert box["width"] <= 360 and page.locator(".input").is_visible() and page.locator(".send").is_visible()
    exit_box = page.locator(".exit").bounding_box()
    assert page.locator(".exit").is_visible() and 0 <= exit_box["x"] and exit_box["x"] + exit_box["width"] <= 360
    assert page.locator(".exit").inner_text() == {"en": "Quick exit", "ar": "خروج سريع"}[language]
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= 360
    page.screenshot(path=str(SCREENSHOTS / f"widget-{language}-360.png"))
    context.close()


def test_keyboard_only_use(browser, web):
    context, page = open_chat(browser, web)
    page.keyboard.type("hello")
    page.keyboard.press("Enter")
    wait_for_bot(page, 1)
    assert page.locator(".log").get_attribute("aria-live") == "polite"
    page.keyboard.press("Tab")  # focus leaves the input: every control is a real, focusable element
    assert page.evaluate("() => document.querySelector('#haven-widget').shadowRoot.activeElement.tagName") in \
        ("BUTTON", "SELECT", "A", "TEXTAREA")
    context.close()


def test_arabic_typed_without_choosing_turns_the_layout_right_to_left(browser, web):
    context, page = open_chat(browser, web)
    assert page.locator(".panel").get_attribute("dir") == "ltr"
    say(page, "أريد العودة إلى بلدي من فضلك")
    wait_for_bot(page, 1)
    page.wait_for_function("() => document.querySelector('#haven-widget').shadowRoot"
                           ".querySelector('.panel').getAttribute('dir') === 'rtl'")
    context.close()


def test_share_my_location_and_talk_to_a_person(browser, web):
    context, page = open_chat(browser, web, geolocation={"latitude": 33.89, "longitude": 35.50},
                              permissions=["geolocation"])
    page.locator(".location").click()
    wait_for_bot(page, 1)
    assert "Beirut" in bot_messages(page).nth(0).inner_text()
    page.locator(".human").click()
    wait_for_bot(page, 2)
    assert "person" in bot_messages(page).nth(1).inner_text()
    context.close()


# ---------- a shared or watched phone (issue 18, item 5) ----------
EXIT_URL = "https://www.google.com/search?q=weather"


def haven_storage(page) -> Dict[str, str]:
    """This widget's localStorage entries on the page's origin."""
    return page.evaluate("() => Object.fromEntries(Object.keys(localStorage).filter(k => k.startsWith('haven:'))"
                         ".map(k => [k, localStorage.getItem(k)]))")


def origin_storage(context, origin: str) -> Dict[str, str]:
    """An origin's localStorage entries read from the browser context (the page may be elsewhere by now)."""
    for entry in context.storage_state()["origins"]:
        if entry["origin"] == origin:
            return {item["name"]: item["value"] for item in entry["localStorage"]}
    return {}


def user_texts(stack, session_token: str) -> List[str]:
    """What the server holds of a widget session's conversation (bot.channels.socket_sessions)."""
    from bot.channels import socket_sessions

    session = socket_sessions.verified_session(session_token, SOCKET_SECRET.encode())
    assert session is not None, f"not a session the server issued: {session_token!r}"
    conversation = socket_sessions.conversation_of(session)
    return [e.get("text") or "" for e in stack.tracker(conversation)["events"] if e.get("event") == "user"]


def wait_connected(page) -> None:
    page.wait_for_function("() => window.HavenWidget && window.HavenWidget.socket.connected "
                           "&& window.HavenWidget.sessionId")


def test_forget_me_wipes_this_device_and_starts_a_new_conversation(browser, web, stack):
    context, page = open_chat(browser, web)
    say(page, "is there a clinic in Benghazi?")
    wait_for_bot(page, 1)
    old = page.evaluate("() => window.HavenWidget.sessionId")
    assert "Benghazi" in json.dumps(haven_storage(page), ensure_ascii=False)

    page.evaluate("() => window.HavenWidget.say('Forget me', '/forget_me')")
    page.wait_for_function(f"() => window.HavenWidget.sessionId && window.HavenWidget.sessionId !== {json.dumps(old)}",
                           timeout=REPLY_TIMEOUT)  # the new session, after the confirmation
    wait_connected(page)
    # The confirmation stays on screen; nothing of the conversation before it does.
    assert [m.inner_text() for m in bot_messages(page).all()][-1].endswith(
        "deleted within a few minutes. If you write again, I will start fresh.")
    assert page.locator(".message.user").count() == 0 and "Benghazi" not in page.locator(".log").inner_text()
    new = page.evaluate("() => window.HavenWidget.sessionId")
    assert haven_storage(page) == {"haven:session": json.dumps(new)}  # history, language, outbox… all gone

    page.reload()
    page.locator(".toggle").click()
    wait_connected(page)
    assert page.locator(".message").count() == 0
    stored = json.dumps(haven_storage(page), ensure_ascii=False)
    assert old not in stored and "Benghazi" not in stored and "forgotten" not in stored
    assert page.evaluate("() => window.HavenWidget.sessionId") == new
    say(page, "hello")
    wait_for_bot(page, 1)
    assert user_texts(stack, new) == ["hello"]  # a new conversation, not the old one continued
    context.close()


def neutral_page(route) -> None:
    route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>Weather</title><p>Sunny</p>")


def test_quick_exit_wipes_this_device_and_leaves_without_a_way_back(browser, web, stack):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    context.route("https://www.google.com/**", neutral_page)
    context.route("http://previous.test/**", neutral_page)
    page = context.new_page()
    page.goto("http://previous.test/")
    page.goto(f"{web}/?lang=fr")
    page.locator(".toggle").click()
    wait_connected(page)
    exit_button = page.locator(".exit")
    assert exit_button.inner_text() == "Sortie rapide"
    assert "n'est pas supprimée du serveur" in exit_button.get_attribute("title")
    say(page, "Bonjour, je cherche une clinique à Benghazi")
    wait_for_bot(page, 1)
    session = page.evaluate("() => window.HavenWidget.sessionId")
    assert "haven:history" in haven_storage(page) and "haven:history" in origin_storage(context, web)

    exit_button.click()
    page.wait_for_url(EXIT_URL)
    assert not [key for key in origin_storage(context, web) if key.startswith("haven:")]
    page.go_back()
    page.wait_for_load_state()
    assert page.url == "http://previous.test/"  # Back skips the chat: it was replaced, not left
    # This device forgot; the server did not (that is what "forget me" is for).
    assert "Bonjour, je cherche une clinique à Benghazi" in user_texts(stack, session)
    context.close()


def test_the_embedding_site_chooses_where_quick_exit_goes(browser, web):
    """An organisation's own page (served by routing, the widget script as the web app serves it: Chromium
    would not let a made-up public origin load it from loopback); its connection does not matter here."""
    context = browser.new_context()
    embedding = ('<!doctype html><title>An NGO</title><p>Our services</p><script src="/haven.js" '
                 'data-server="http://ngo.test" data-exit-url="https://news.test/today"></script>')
    context.route("http://ngo.test/", lambda route: route.fulfill(status=200, content_type="text/html",
                                                                   body=embedding))
    context.route("http://ngo.test/haven.js", lambda route: route.fulfill(
        status=200, content_type="text/javascript", body=requests.get(f"{web}/widget.js", timeout=10).text))
    context.route("http://ngo.test/socket.io/**", lambda route: route.abort())
    context.route("https://news.test/**", neutral_page)
    page = context.new_page()
    page.goto("http://ngo.test/")
    page.locator(".toggle").click()
    page.locator(".exit").click()
    page.wait_for_url("https://news.test/today")
    context.close()


def test_a_different_session_id_from_the_server_drops_the_old_history(browser, web, stack):
    context, page = open_chat(browser, web)
    say(page, "is there a clinic in Benghazi?")
    wait_for_bot(page, 1)
    old = page.evaluate("() => window.HavenWidget.sessionId")
    altered = uuid.uuid4().hex

    def server_issues_a_new_id(ws) -> None:
        """The stored id reaches the server altered (as an expired or copied one would), so the real server
        refuses it and confirms a new session, which it then answers."""
        server = ws.connect_to_server()

        def to_server(message) -> None:
            if isinstance(message, str) and message.startswith('42["session_request"') and old in message:
                message = message.replace(old, altered)
            server.send(message)

        ws.on_message(to_server)

    page.route_web_socket(re.compile(r"/socket\.io/"), server_issues_a_new_id)
    page.reload()
    page.wait_for_function(f"() => window.HavenWidget.socket.connected && window.HavenWidget.sessionId "
                           f"&& window.HavenWidget.sessionId !== {json.dumps(old)}")
    new = page.evaluate("() => window.HavenWidget.sessionId")
    assert page.locator(".message").count() == 0
    stored = haven_storage(page)
    assert json.loads(stored["haven:session"]) == new
    assert "Benghazi" not in json.dumps(stored, ensure_ascii=False)
    say(page, "hello")
    wait_for_bot(page, 1)
    assert user_texts(stack, new) == ["hello"]
    context.close()
