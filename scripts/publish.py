"""`make publish`: put editors' changes live with no restart and no dropped conversation.

1. check-content (every content check; stop at the first problem list)
2. train the model if the training data changed (scripts/train_if_changed)
3. run the test stories against that model (`rasa test core`)
4. load the model into the running Rasa server (PUT /model with the API token); Rasa keeps serving the
   old model until the new one is loaded, conversations live on in the tracker store
5. load the directory into the action server's database (validated, then swapped in atomically; the
   action server opens the database per request, so it answers from the new directory at once). If
   this fails, the previous model is put back.
Any failure stops the publish and leaves the running version as it was.

    HAVEN_RASA_URL (default http://localhost:5005), HAVEN_RASA_TOKEN (else var/rasa-token),
    HAVEN_DATABASE_URL (the action server's directory database)."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, List, Optional

import requests

ROOT = Path(__file__).resolve().parents[1]


class PublishError(Exception):
    """A step failed; nothing after it ran and the running version is unchanged."""


@dataclass
class RasaServer:
    url: str
    token: str

    def model_file(self) -> str:
        try:
            reply = requests.get(f"{self.url}/status", params={"token": self.token}, timeout=30)
        except requests.RequestException as error:
            raise PublishError(f"Rasa is not reachable at {self.url}: {error}") from error
        if reply.status_code != 200:
            raise PublishError(f"Rasa refused the status request ({reply.status_code}): is the token right?")
        return reply.json().get("model_file", "")

    def load(self, model: Path) -> None:
        try:
            reply = requests.put(f"{self.url}/model", params={"token": self.token},
                                 json={"model_file": str(model)}, timeout=600)
        except requests.RequestException as error:
            raise PublishError(f"Rasa is not reachable at {self.url}: {error}") from error
        if reply.status_code != 204:
            message = reply.json().get("message", reply.text) if reply.content else reply.reason
            raise PublishError(f"Rasa did not load {model.name} ({reply.status_code}: {message}); "
                               "it is still serving the previous model.")


def step(title: str) -> None:
    print(f"==> {title}", flush=True)


def check(root: Path) -> None:
    from scripts.check_content import check_content

    problems = check_content(root)
    if problems:
        raise PublishError("check-content found problems:\n" + "\n".join(f"  {p}" for p in problems))


def train(root: Path) -> Path:
    from scripts.train_if_changed import train_if_changed

    try:
        return train_if_changed(root)
    except subprocess.CalledProcessError as error:
        raise PublishError(f"training failed (exit {error.returncode}); see the output above") from error


def test_stories(root: Path, model: Path) -> None:
    with tempfile.TemporaryDirectory() as out:
        run = subprocess.run([str(Path(sys.executable).parent / "rasa"), "test", "core", "--model", str(model),
                              "--stories", "tests/test_stories.yml", "--out", out, "--fail-on-prediction-errors",
                              "--no-plot"], cwd=root, capture_output=True, text=True)
        failed = Path(out) / "failed_test_stories.yml"
        if run.returncode != 0:
            details = failed.read_text() if failed.exists() else run.stderr[-2000:]
            raise PublishError(f"the test stories fail with the new model:\n{details}")


def load_directory(root: Path, url: Optional[str]) -> None:
    from actions.directory.load import DirectoryError
    from actions.directory.load import load_directory as load

    try:
        load(root / "data" / "directory", url)
    except DirectoryError as error:
        raise PublishError(f"the directory was not loaded:\n{error}") from error
    except Exception as error:  # the database itself (down, permissions): say so, roll back
        raise PublishError(f"the directory database could not be written: {error}") from error


def find_model(name: str, folders: List[Path]) -> Optional[Path]:
    """Rasa reports only the file name of the model it serves: find the file, to put it back if needed."""
    for folder in folders:
        candidate = folder / Path(name).name
        if name and candidate.is_file():
            return candidate.resolve()
    return None


def publish(root: Path = ROOT, rasa: Optional[RasaServer] = None, directory_url: Optional[str] = None,
            model: Optional[Path] = None, run_tests: bool = True, check_first: bool = True,
            say: Callable[[str], None] = step) -> Path:
    """Every step in order; raises PublishError, leaving the running version untouched, when one fails."""
    from hotline.rasa_api import rasa_token

    rasa = rasa or RasaServer(os.environ.get("HAVEN_RASA_URL", "http://localhost:5005"), rasa_token())
    if check_first:
        say("checking the content")
        check(root)
    if model is None:
        say("training the model (if the training data changed)")
        model = train(root)
    if run_tests:
        say(f"running the test stories against {model.name}")
        test_stories(root, model)
    previous = find_model(rasa.model_file(), [root / "models", model.parent])
    say(f"loading {model.name} into the running Rasa server (now serving {previous.name if previous else '?'})")
    rasa.load(model.resolve())
    say("loading the directory into the action server's database")
    try:
        load_directory(root, directory_url)
    except PublishError:
        if previous is not None:
            say(f"putting the previous model back ({previous.name})")
            rasa.load(previous)
        else:
            say("the previous model file was not found: Rasa serves the new model with the old directory")
        raise
    say(f"published: Rasa serves {model.name}, the action server the new directory")
    return model


def main() -> int:
    try:
        publish()
    except PublishError as error:
        print(f"PUBLISH FAILED: {error}", file=sys.stderr)
        print("The running version was left as it was.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
