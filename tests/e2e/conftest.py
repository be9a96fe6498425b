"""One trained model and one running stack per test session."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.e2e.stack import ROOT, Stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, directory_url: str):
    from scripts.train_if_changed import train_if_changed

    model = train_if_changed(ROOT)  # `make test` has trained it already; this is a no-op then
    running = Stack(model=model, workdir=tmp_path_factory.mktemp("stack"), directory_url=directory_url)
    try:
        running.start_actions()
        running.start_rasa()
        yield running
    finally:
        running.stop_all()


@pytest.fixture()
def user() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"
