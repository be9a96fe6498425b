"""`make publish` against the running stack: the model is swapped in the running Rasa server while a
conversation is going on and the conversation continues; a failing publish leaves the old version serving."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scripts.publish import PublishError, RasaServer, publish
from tests.e2e.stack import ROOT, TOKEN


def serving(stack) -> str:
    return RasaServer(stack.rasa_url, TOKEN).model_file()


def quiet(_: str) -> None:
    pass


def test_publish_swaps_the_model_while_a_conversation_goes_on(stack, user, tmp_path: Path) -> None:
    assert "Which country are you in" in stack.say(user, "I want to go home, I have nothing left here")
    new_model = tmp_path / "haven-published.tar.gz"
    shutil.copy(stack.model, new_model)  # a new model file: same content, so the conversation's flow is known
    steps: list = []
    publish(ROOT, RasaServer(stack.rasa_url, TOKEN), stack.directory_url, model=new_model, say=steps.append)
    assert [s.split(" ")[0] for s in steps] == ["checking", "running", "loading", "loading", "published:"]
    assert Path(serving(stack)).name == "haven-published.tar.gz"
    assert "harmed or persecuted" in stack.say(user, "I am in Libya")  # the form goes on
    assert stack.tracker(user)["active_loop"]["name"] == "eligibility_form"


def test_a_model_rasa_cannot_load_leaves_the_old_one_serving(stack, user, tmp_path: Path) -> None:
    before = serving(stack)
    broken = tmp_path / "haven-broken.tar.gz"
    broken.write_bytes(b"this is not a model")
    with pytest.raises(PublishError, match="still serving the previous model"):
        publish(ROOT, RasaServer(stack.rasa_url, TOKEN), stack.directory_url, model=broken, run_tests=False,
                check_first=False, say=quiet)
    assert serving(stack) == before
    assert "Haven" in stack.say(user, "hello")


def test_content_with_a_problem_is_not_published(stack, content_copy: Path) -> None:
    content = content_copy
    centres = content / "data" / "directory" / "centres.csv"
    centres.write_text(centres.read_text(encoding="utf-8").replace(",iom,LY,benghazi,", ",iom,LY,nowhere,", 1),
                       encoding="utf-8")
    before = serving(stack)
    with pytest.raises(PublishError, match="unknown place 'nowhere'"):
        publish(content, RasaServer(stack.rasa_url, TOKEN), stack.directory_url, model=stack.model,
                run_tests=False, say=quiet)
    assert serving(stack) == before


def test_a_directory_that_cannot_be_written_puts_the_previous_model_back(stack, tmp_path: Path) -> None:
    first, other = tmp_path / "haven-first.tar.gz", tmp_path / "haven-other.tar.gz"
    shutil.copy(stack.model, first)
    shutil.copy(stack.model, other)
    publish(ROOT, RasaServer(stack.rasa_url, TOKEN), stack.directory_url, model=first, run_tests=False,
            check_first=False, say=quiet)
    before = serving(stack)
    with pytest.raises(PublishError, match="directory database could not be written"):
        publish(ROOT, RasaServer(stack.rasa_url, TOKEN), "sqlite:////proc/haven/directory.db", model=other,
                run_tests=False, check_first=False, say=quiet)
    assert serving(stack) == before
