# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

# The suite runs on PostgreSQL and Redis; these defaults are the local services.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/videovisit
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: run test bench install messages lint security bandit pip-audit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python manage.py migrate --verbosity 0
	$(BIN)/python manage.py seed_demo
	@echo "Öppna http://127.0.0.1:8000 och logga in med en av inloggningarna ovan."
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" \
	REDIS_URL="$${REDIS_URL:-$(TEST_REDIS_URL)}" \
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Benchmarks print one table of figures and ratios measured in the same run
# (bench/__main__.py runs bench/start_page.py, booking.py and room.py); they build
# scratch databases named after the test database plus _bench_* and drop nothing else.
bench: install
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" \
	REDIS_URL="$${REDIS_URL:-$(TEST_REDIS_URL)}" \
	$(BIN)/python -m bench

messages: install
	$(BIN)/python manage.py makemessages --locale en --ignore "$(VENV)/*" --no-obsolete
	$(BIN)/python manage.py compilemessages --locale en --ignore "$(VENV)/*"

lint: install
	$(BIN)/python -m ruff check .

# Security checks of CI (DESIGN S3): our own code, then what we install.
security: bandit pip-audit

# High-severity findings fail; lower ones are for reading.
bandit: install
	$(BIN)/python -m bandit --quiet --recursive --severity-level high \
		--exclude "*/migrations/*" \
		accounts audit bookings guests integrations patients visits videovisit manage.py

pip-audit: install
	$(BIN)/python .ci/audit_dependencies.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
