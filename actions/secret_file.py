"""Shared secrets that work with zero set-up: an environment variable, else a random value kept in var/.

`make run` on one machine needs no configuration (the file is created once and every process reads it);
a multi-host deployment sets the environment variable to the same value on every host."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Optional

VAR = Path(__file__).resolve().parents[1] / "var"
ACTIONS_TOKEN_ENV = "HAVEN_ACTIONS_TOKEN"
#: The header Rasa sends the action server's secret in (endpoints.yml); a header, never a query parameter,
#: so the secret does not end up in URLs and access logs.
ACTIONS_TOKEN_HEADER = "X-Haven-Action-Token"


def secret_from_env_or_file(env: str, filename: str, folder: Optional[Path] = None) -> str:
    """The value of `env` if set, else the contents of var/<filename>, created once with a random value.

    The file is written under a temporary name (mode 0600 from the start) and linked into place, so it is
    never readable by others, never seen half-written, and two processes starting together agree on it."""
    configured = (os.environ.get(env) or "").strip()
    if configured:
        return configured
    folder = folder or VAR
    path = folder / filename
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{filename}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(32))
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            tmp.unlink(missing_ok=True)
    value = path.read_text().strip()
    if not value:
        raise RuntimeError(f"{path} is empty: delete it (a new secret is made) or set {env}")
    return value


def actions_token() -> str:
    """The secret Rasa must send the action server: HAVEN_ACTIONS_TOKEN, else var/actions-token."""
    return secret_from_env_or_file(ACTIONS_TOKEN_ENV, "actions-token")
