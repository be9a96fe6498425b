"""Start every Haven process with honcho (a Procfile runner): the Rasa server, the action server and the
web app (chat widget page).

Uses the newest model for the current data (make model trains it). Secrets come from the environment, else
from files under var/ created once (mode 0600): the Rasa API token (HAVEN_RASA_TOKEN, var/rasa-token; given to
Rasa through its environment, never its command line), the REST channel's token (HAVEN_REST_TOKEN,
var/rest-token) and the widget sessions' signing key (HAVEN_SOCKET_SECRET, var/socket-secret). The action
server (`python -m actions.server`, on 127.0.0.1 unless HAVEN_ACTIONS_HOST says otherwise) takes calls only
with its shared secret (HAVEN_ACTIONS_TOKEN, var/actions-token), which Rasa sends from endpoints.yml."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from honcho.manager import Manager

from actions.secret_file import ACTIONS_TOKEN_ENV, actions_token, secret_from_env_or_file
from hotline.rasa_api import rasa_token
from scripts.train_if_changed import ROOT, model_path


def main() -> int:
    model = model_path()
    if not model.exists():
        print(f"No model for the current data ({model.name}); run `make run`, which trains it.", file=sys.stderr)
        return 1
    os.umask(0o077)  # databases, logs and secrets under var/ are readable by their owner only
    for leftover in (ROOT / "var").glob("*"):  # and so are those an older version left readable by others
        if leftover.is_file():
            leftover.chmod(0o600)
    bin_dir = Path(sys.executable).parent
    rasa_port, actions_port = os.environ.get("HAVEN_RASA_PORT", "5005"), os.environ.get("HAVEN_ACTIONS_PORT", "5055")
    web_port = os.environ.get("HAVEN_WEB_PORT", "8080")
    # The widget's sites: its socket.io connections and polling requests are accepted from these origins only.
    origins = os.environ.get("HAVEN_WIDGET_ORIGINS") or f"http://localhost:{web_port},http://127.0.0.1:{web_port}"
    env = dict(os.environ, PYTHONPATH=str(ROOT), HAVEN_RASA_TOKEN=rasa_token(), HAVEN_WIDGET_ORIGINS=origins,
               HAVEN_REST_TOKEN=secret_from_env_or_file("HAVEN_REST_TOKEN", "rest-token"),
               HAVEN_SOCKET_SECRET=secret_from_env_or_file("HAVEN_SOCKET_SECRET", "socket-secret"))
    # Every process: Rasa sends it (endpoints.yml), the action server checks it, and the web app's erasure job
    # reads endpoints.yml with Rasa's reader, which refuses a file naming an unset variable.
    env[ACTIONS_TOKEN_ENV] = actions_token()
    cors = " ".join(f"'{origin}'" for origin in origins.split(",") if origin.strip())
    manager = Manager()
    manager.add_process("actions", f"{bin_dir}/python -m actions.server --port {actions_port}", cwd=str(ROOT),
                        env=env)
    manager.add_process(
        "rasa",
        f"{bin_dir}/python -m scripts.serve_rasa --enable-api --model {model} --port {rasa_port} "
        f"--credentials credentials.yml --endpoints endpoints.yml --cors {cors}",
        cwd=str(ROOT), env=env, quiet=False,
    )
    manager.add_process("web", f"{bin_dir}/python -m web.app", cwd=str(ROOT),
                        env=dict(env, HAVEN_WEB_PORT=web_port, HAVEN_RASA_URL=f"http://localhost:{rasa_port}",
                                 HAVEN_RASA_PUBLIC_URL=os.environ.get("HAVEN_RASA_PUBLIC_URL",
                                                                      f"http://localhost:{rasa_port}")))
    print(f"Haven is starting (Rasa loads its model in about a minute):\n"
          f"  web chat:  http://localhost:{web_port}\n"
          f"  hotline:   http://localhost:{web_port}/console  (accounts: python -m hotline.accounts create)\n"
          f"  REST:      POST http://localhost:{rasa_port}/webhooks/rest/webhook  (token in var/rest-token; README)\n"
          f"  actions:   http://localhost:{actions_port}\n"
          f"Ctrl-C stops everything.", flush=True)
    manager.loop()
    return manager.returncode or 0


if __name__ == "__main__":
    sys.exit(main())
