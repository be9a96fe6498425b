"""One trained model and one running stack per test session."""
from __future__ import annotations

import uuid
from pathlib import Path
from typing import Iterator

import pytest

from tests.e2e.stack import ROOT, Stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, directory_url: str):
    from scripts.train_if_changed import train_if_changed

    from tests.e2e import fake_graph

    model = train_if_changed(ROOT)  # `make test` has trained it already; this is a no-op then
    from tests.e2e.loopback import CallbackEndpoint

    graph = fake_graph.FakeGraphAPI().start()
    callback = CallbackEndpoint().start()
    running = Stack(model=model, workdir=tmp_path_factory.mktemp("stack"), directory_url=directory_url,
                    graph_api_url=graph.url,
                    whatsapp_env={"WHATSAPP_APP_SECRET": fake_graph.APP_SECRET,
                                  "WHATSAPP_VERIFY_TOKEN": fake_graph.VERIFY_TOKEN,
                                  "WHATSAPP_ACCESS_TOKEN": fake_graph.ACCESS_TOKEN,
                                  "WHATSAPP_PHONE_NUMBER_ID": fake_graph.PHONE_NUMBER_ID}, graph=graph,
                    callback=callback)
    try:
        running.start_actions()
        running.start_rasa()
        yield running
    finally:
        running.stop_all()
        graph.stop()
        callback.stop()


@pytest.fixture()
def user() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright (no browser download). Per module: Playwright's sync API
    keeps an event loop running in this thread while it is open, which asyncio tests cannot share."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's Chromium is missing: apt-get install chromium (make test installs it)")
    with playwright_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
