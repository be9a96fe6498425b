"""Haven's speed against a stock `rasa init` bot measured in the same run, on the same machine:

* full training from an empty Rasa cache (each bot's own `rasa train`, a fresh cache folder each);
* turns over Rasa's REST webhook with the same load generator (bench/load.py): one user, then 20 users at
  once, each holding whole conversations (bench/data/load_conversations.yml). Haven runs as `make run` runs
  it (its action server, its channels, the SQLite tracker store); the stock bot is served by `rasa run` with
  the same kind of tracker store (SQLite) and the in-memory lock store both use."""
from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml

from bench.load import LoadResult, run_load

ROOT = Path(__file__).resolve().parents[1]
RASA = Path(sys.executable).parent / "rasa"
CONVERSATIONS = ROOT / "bench" / "data" / "load_conversations.yml"
#: Bounds of each load phase: turns, seconds.
ONE_USER = (60, 120.0)
MANY_USERS = 20
MANY_USERS_BOUNDS = (400, 240.0)
WARM_UP_TURNS = 8


def stock_project(workdir: Path) -> Path:
    """The project `rasa init` creates (Rasa ships it as rasa/cli/initial_project), with a SQLite tracker store."""
    import rasa

    project = workdir / "stock"
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(Path(rasa.__file__).parent / "cli" / "initial_project", project,
                    ignore=shutil.ignore_patterns("__pycache__", "tests"))
    endpoints = {"tracker_store": {"type": "SQL", "dialect": "sqlite", "db": str(workdir / "stock-tracker.db")}}
    (project / "endpoints.yml").write_text(yaml.safe_dump(endpoints))
    return project


def train_from_empty_cache(project: Path, out: Path, name: str, log: Path) -> Tuple[float, Path]:
    """Seconds `rasa train` takes in `project` with an empty cache of its own, and the model file."""
    cache = out / f"{name}-cache"
    shutil.rmtree(cache, ignore_errors=True)
    env = dict(os.environ, RASA_CACHE_DIRECTORY=str(cache), RASA_TELEMETRY_ENABLED="false",
               PYTHONPATH=str(ROOT))
    started = time.monotonic()
    with log.open("ab") as handle:
        subprocess.run([str(RASA), "train", "--out", str(out), "--fixed-model-name", name], cwd=project, env=env,
                       check=True, stdout=handle, stderr=subprocess.STDOUT)
    seconds = time.monotonic() - started
    shutil.rmtree(cache, ignore_errors=True)
    return seconds, out / f"{name}.tar.gz"


def conversations() -> Dict[str, List[List[str]]]:
    return yaml.safe_load(CONVERSATIONS.read_text(encoding="utf-8"))


def load_phases(url: str, scripts: List[List[str]], headers: Optional[Dict[str, str]], prefix: str
                ) -> Dict[str, LoadResult]:
    one = asyncio.run(run_load(url, scripts, 1, *ONE_USER, headers=headers, sender_prefix=f"{prefix}-one",
                               warm_up=WARM_UP_TURNS))
    many = asyncio.run(run_load(url, scripts, MANY_USERS, *MANY_USERS_BOUNDS, headers=headers,
                                sender_prefix=f"{prefix}-many"))
    return {"one_user": one, f"{MANY_USERS}_users": many}


def stock_turns(model: Path, project: Path, log: Path) -> Dict[str, LoadResult]:
    from tests.e2e.stack import free_port, wait_until_up

    port = free_port()
    with log.open("ab") as handle:
        process = subprocess.Popen([str(RASA), "run", "--model", str(model), "--port", str(port), "--endpoints",
                                    "endpoints.yml", "--credentials", "credentials.yml"], cwd=project,
                                   env=dict(os.environ, RASA_TELEMETRY_ENABLED="false"), stdout=handle,
                                   stderr=subprocess.STDOUT)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/", process, log)
        return load_phases(f"http://127.0.0.1:{port}/webhooks/rest/webhook", conversations()["stock"], None, "stock")
    finally:
        process.terminate()
        process.wait(timeout=30)


def haven_turns(model: Path, workdir: Path, directory_url: str) -> Dict[str, LoadResult]:
    from tests.e2e.stack import REST_TOKEN, Stack

    stack = Stack(model=model, workdir=workdir, directory_url=directory_url)
    try:
        stack.start_actions()
        stack.start_rasa()
        return load_phases(f"{stack.rasa_url}/webhooks/rest/webhook", conversations()["haven"],
                           {"Authorization": f"Bearer {REST_TOKEN}"}, "haven")
    finally:
        stack.stop_all()


def ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return round(a / b, 3) if a is not None and b else None
