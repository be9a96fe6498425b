"""Start every Haven process with honcho (a Procfile runner): the Rasa server, the action server and the
web app (chat widget page).

Uses the newest model for the current data (make model trains it) and a Rasa API token from
HAVEN_RASA_TOKEN or var/rasa-token (created once)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from honcho.manager import Manager

from hotline.rasa_api import rasa_token
from scripts.train_if_changed import ROOT, model_path


def main() -> int:
    model = model_path()
    if not model.exists():
        print(f"No model for the current data ({model.name}); run `make run`, which trains it.", file=sys.stderr)
        return 1
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    rasa_port, actions_port = os.environ.get("HAVEN_RASA_PORT", "5005"), os.environ.get("HAVEN_ACTIONS_PORT", "5055")
    web_port = os.environ.get("HAVEN_WEB_PORT", "8080")
    # Any site may embed the widget; its socket.io polling fallback needs CORS (HAVEN_CORS narrows it).
    cors = os.environ.get("HAVEN_CORS", "*")
    manager = Manager()
    manager.add_process("actions", f"{bin_dir}/rasa run actions --port {actions_port}", cwd=str(ROOT), env=env)
    manager.add_process(
        "rasa",
        f"{bin_dir}/rasa run --enable-api --auth-token {rasa_token()} --model {model} --port {rasa_port} "
        f"--credentials credentials.yml --endpoints endpoints.yml --cors '{cors}'",
        cwd=str(ROOT), env=env, quiet=False,
    )
    manager.add_process("web", f"{bin_dir}/python -m web.app", cwd=str(ROOT),
                        env=dict(env, HAVEN_WEB_PORT=web_port, HAVEN_RASA_URL=f"http://localhost:{rasa_port}",
                                 HAVEN_RASA_PUBLIC_URL=os.environ.get("HAVEN_RASA_PUBLIC_URL",
                                                                      f"http://localhost:{rasa_port}")))
    print(f"Haven is starting (Rasa loads its model in about a minute):\n"
          f"  web chat:  http://localhost:{web_port}\n"
          f"  hotline:   http://localhost:{web_port}/console  (accounts: python -m hotline.accounts create)\n"
          f"  REST:      POST http://localhost:{rasa_port}/webhooks/rest/webhook  (see README)\n"
          f"  actions:   http://localhost:{actions_port}\n"
          f"Ctrl-C stops everything.", flush=True)
    manager.loop()
    return manager.returncode or 0


if __name__ == "__main__":
    sys.exit(main())
