# Haven: two commands do all set-up. `make run` starts everything, `make test` tests everything.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.lock | cut -c1-12)
export PYTHONPATH := $(CURDIR)
# Rasa's CLI sends usage telemetry and crash reports (to Segment and Sentry) unless this is false; nothing
# about the people Haven serves may leave the machine that way.
export RASA_TELEMETRY_ENABLED ?= false
export HAVEN_DATABASE_URL ?= sqlite:///$(CURDIR)/var/directory.db
DIRECTORY_FILES := $(wildcard data/directory/*)
WIDGET_SOURCES := $(wildcard web/widget/src/*.js) web/widget/package.json web/widget/package-lock.json

.PHONY: run test venv db model widget chromium validate nlu-report intent-cv check-translations check-content publish bench agent erase-now clean help

help:
	@echo "make run   - set everything up and start Rasa (:5005), the actions (:5055) and the web app (:8080)"
	@echo "make test  - set everything up and run the whole test suite"

$(STAMP): requirements.lock scripts/find-python310.sh
	@PY310=$$(scripts/find-python310.sh) || exit 1; \
	if [ ! -x $(PY) ]; then echo "creating $(VENV) with $$PY310"; "$$PY310" -m venv $(VENV) || exit 1; fi
	$(PY) -m pip install --quiet --disable-pip-version-check pip==24.2
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	rm -f $(VENV)/.installed-*; touch $@

venv: $(STAMP)

var/directory.db: $(STAMP) $(DIRECTORY_FILES) $(wildcard actions/directory/*.py)
	@mkdir -p var
	$(PY) -m actions.directory.load data/directory

# An empty var/directory.db is what the action server left when the database was missing (before it opened it
# read-only); it is newer than its sources, so it is removed first and rebuilt.
db:
	@if [ -f var/directory.db ] && [ ! -s var/directory.db ]; then rm -f var/directory.db; fi
	@$(MAKE) -s --no-print-directory var/directory.db

web/static/haven-widget.js: $(WIDGET_SOURCES)
	cd web/widget && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build

widget: web/static/haven-widget.js

chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || \
	  { echo "Browser tests need Debian's Chromium: apt-get install chromium"; exit 1; }

model: $(STAMP)
	$(PY) -m scripts.train_if_changed

validate: $(STAMP)
	$(PY) -m scripts.validate_data

run: venv db model widget
	@mkdir -p var
	$(PY) -m scripts.start

test: venv db model widget chromium check-content
	$(VENV)/bin/python -m pytest tests

agent: venv
	@test -n "$(LOGIN)" -a -n "$(NAME)" || { echo 'usage: make agent LOGIN=amina NAME="Amina"'; exit 2; }
	$(PY) -m hotline.accounts create "$(LOGIN)" --name "$(NAME)"

# Forget-me erasures and retention (data/privacy.yml) now, instead of waiting for the web app's next run.
erase-now: $(STAMP)
	$(PY) -m hotline.erasure

clean:
	rm -rf var models .pytest_cache

nlu-report: $(STAMP)
	$(PY) -m scripts.nlu_report

# Intent classifier and fallback thresholds on 5-fold cross-validation of the training part only.
intent-cv: $(STAMP)
	$(PY) -m scripts.intent_cv

check-content: $(STAMP)
	$(PY) -m scripts.check_content

publish: venv
	$(PY) -m scripts.publish

check-translations: $(STAMP)
	$(PY) -m scripts.check_translations

bench: venv db
	$(PY) -m bench.run
