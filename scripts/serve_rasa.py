"""`rasa run` with its API token kept off the command line.

`rasa run --auth-token T` shows T to every user of the machine (`ps`, /proc/<pid>/cmdline). This runs the same
Rasa CLI in-process and hands it the token from HAVEN_RASA_TOKEN (else var/rasa-token): the process's
visible command line never holds it. Every other argument is passed to `rasa run` unchanged. It also puts in
place bot.action_response_validation (the same check of the action server's answers, compiled once) and
bot.rasa_speedups (Rasa's graph walk and event-class lookups done once per model, not every turn) and
bot.rules_first (TED's transformer run only when no rule decides the next action) and bot.turn_limiter (at most
HAVEN_MAX_CONCURRENT_TURNS turns worked on at once, the other messages waiting in arrival order).

    python -m scripts.serve_rasa --enable-api --model models/x.tar.gz --port 5005 ...
"""
from __future__ import annotations

import os
import sys
from typing import List, Optional

from hotline.rasa_api import rasa_token


def rasa_argv(arguments: List[str], token: str) -> List[str]:
    if any(a == "--auth-token" or a.startswith("--auth-token=") for a in arguments):
        raise SystemExit("Give the token in HAVEN_RASA_TOKEN, not on the command line.")
    return ["rasa", "run", *arguments, "--auth-token", token]


def main(arguments: Optional[List[str]] = None) -> None:
    os.umask(0o077)  # the tracker database and logs Rasa creates are the owner's alone
    token = rasa_token()
    sys.argv = rasa_argv(list(sys.argv[1:] if arguments is None else arguments), token)
    from rasa.__main__ import main as rasa_main

    from bot import action_response_validation, rasa_speedups, rules_first, turn_limiter

    action_response_validation.install()  # the action server's answers checked by a validator built once
    rasa_speedups.install()  # the model's graph walked and event classes looked up once, not every turn
    rules_first.install()  # TED's transformer run only when no rule decides the next action
    turn_limiter.install()  # a few turns at once, first come first served: no turn waits behind every other

    rasa_main()


if __name__ == "__main__":
    main()
