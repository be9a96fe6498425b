"""The web widget in a real browser (Debian's Chromium driven by Playwright; no browser download) against
the real stack: Rasa's socket.io channel behind a proxy the tests can cut, the actions and the web app."""
from __future__ import annotations

from typing import Iterator

import pytest

from tests.e2e.proxy import CuttableProxy
from tests.e2e.stack import ROOT, free_port

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
