"""Shared fixtures: the real directory files loaded into a throw-away SQLite database."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DIRECTORY = ROOT / "data" / "directory"

# Also when pytest is run without make: the Rasa processes the tests start send no telemetry or crash reports.
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


@pytest.fixture()
def directory_copy(tmp_path: Path) -> Path:
    """An editable copy of data/directory/."""
    target = tmp_path / "directory"
    shutil.copytree(DIRECTORY, target)
    return target


@pytest.fixture(scope="session")
def directory_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    from actions.directory.load import load_directory

    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'directory.db'}"
    load_directory(DIRECTORY, url)
    return url


@pytest.fixture()
def session(directory_url: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("HAVEN_DATABASE_URL", directory_url)
    from actions.directory.session import open_session

    with open_session() as s:
        yield s


@pytest.fixture()
def content_copy(tmp_path: Path) -> Path:
    """A copy of the project's content (code folders linked, not copied) for a test to break."""
    content = tmp_path / "content"
    content.mkdir()
    for name in ("domain.yml", "config.yml"):
        shutil.copy(ROOT / name, content / name)
    shutil.copytree(ROOT / "data", content / "data")
    (content / "tests").mkdir()
    shutil.copy(ROOT / "tests" / "test_stories.yml", content / "tests" / "test_stories.yml")
    for package in ("actions", "bot", "hotline", "web"):
        (content / package).symlink_to(ROOT / package)
    return content
