#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter (Rasa 3.6 runs on 3.8-3.10 only; Haven pins 3.10).
# Looks at $PYTHON310, then python3.10 on PATH, then ~/.pyenv/versions/3.10.*; exits 1 with advice.
set -u
is310() { "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' 2>/dev/null; }
for candidate in "${PYTHON310:-}" "$(command -v python3.10 2>/dev/null)" \
                 $(ls -d "$HOME"/.pyenv/versions/3.10.*/bin/python 2>/dev/null | sort -V -r); do
  if [ -n "$candidate" ] && [ -x "$candidate" ] && is310 "$candidate"; then
    echo "$candidate"; exit 0
  fi
done
cat >&2 <<'MSG'
Haven needs Python 3.10 (Rasa 3.6.21 does not run on 3.11 or newer) and none was found.
Install one, then run make again:
  - Debian/Ubuntu:  apt-get install python3.10 python3.10-venv   (or the deadsnakes PPA)
  - pyenv:          pyenv install 3.10.13
  - or point to it: make run PYTHON310=/path/to/python3.10
MSG
exit 1
