"""The hotline console in a real browser (Debian's Chromium via Playwright) against the real stack: log in,
see the queue, open a conversation, take it over, read the user's words (shown as text, never as markup),
answer on the user's own socket.io channel, hand back. Screenshots go to docs/screenshots/."""
from __future__ import annotations

import uuid

import pytest

from hotline.accounts import create_agent
from hotline.db import session_scope
from tests.e2e.hotline import SocketUser
from tests.e2e.stack import ROOT

SCREENSHOTS = ROOT / "docs" / "screenshots"
TIMEOUT = 30_000


@pytest.fixture(scope="module")
def web(stack) -> str:
    stack.start_web()
    return stack.web_url


def test_an_agent_answers_a_web_chat_user_from_the_console(browser, stack, web) -> None:
    username, password = f"console-{uuid.uuid4().hex[:6]}", "a long test passphrase"
    with session_scope(stack.hotline_url) as s:
        create_agent(s, username, "Amina", password)
    user = SocketUser(stack.rasa_url)
    try:
        user.say("I want to talk to a real person")
        user.wait_for(lambda text: "A person usually answers" in text)
        stack.say(f"urgent-{uuid.uuid4().hex[:8]}", "I am in danger")  # an emergency: first in the queue

        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.goto(f"{web}/console")
        assert page.url.endswith("/console/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", "wrong password!!")
        page.click("button[type=submit]")
        page.get_by_role("alert").wait_for()
        assert "Wrong username or password" in page.get_by_role("alert").inner_text()
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")

        row = page.locator("#queue tbody tr", has_text="Asked for a person").last
        row.wait_for(timeout=TIMEOUT)
        assert "URGENT" in page.locator("#queue tbody tr").first.inner_text()
        page.screenshot(path=str(SCREENSHOTS / "console-queue.png"))
        request_id = page.evaluate(
            "async (sid) => (await (await fetch('/console/api/queue')).json()).requests"
            ".find(r => r.conversation_id === sid).id", user.session_id)
        page.locator(f"tr[data-request-id='{request_id}'] a").click()
        page.locator("#take").wait_for(state="visible", timeout=TIMEOUT)
        page.click("#take")
        page.locator("#reply").wait_for(state="visible", timeout=TIMEOUT)
        user.wait_for(lambda text: "has joined" in text, timeout=20)

        user.say("<img src=x onerror=alert(1)> is anyone there?")
        page.locator(".from-user .text", has_text="is anyone there?").wait_for(timeout=5_000)
        assert page.locator("#transcript img").count() == 0
        assert "<img src=x onerror=alert(1)>" in page.locator(".from-user .text").last.inner_text()

        page.fill("#reply-text", "Yes, I am Amina from the hotline. How can I help?")
        page.click("#reply button[type=submit]")
        user.wait_for(lambda text: text == "Yes, I am Amina from the hotline. How can I help?", timeout=20)
        page.locator(".from-agent").last.wait_for(timeout=TIMEOUT)
        page.screenshot(path=str(SCREENSHOTS / "console-conversation.png"))

        page.fill("#note", "Talked about the return programme.")
        page.click("#handback")
        user.wait_for(lambda text: "answering again" in text, timeout=20)
        page.locator("#take").wait_for(state="hidden", timeout=TIMEOUT)
        context.close()
    finally:
        user.close()
