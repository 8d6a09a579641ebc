# AIMS portal: `make run` sets up and starts everything; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Debian packages the portal needs: gettext (translations), Pango and HarfBuzz (PDF
# rendering); the tests also need Chromium (browser journeys), the bench the HTTP load tool wrk.
DEBIAN_PACKAGES := gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
TEST_DEBIAN_PACKAGES := $(DEBIAN_PACKAGES) chromium
BENCH_DEBIAN_PACKAGES := $(DEBIAN_PACKAGES) wrk

.PHONY: run test install install-dev system-packages test-system-packages bench-system-packages messages migrate lint bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed system-packages messages

install-dev: $(VENV)/.installed-dev test-system-packages messages

# Installs missing Debian packages when run as root (CI, containers); otherwise says what to do.
system-packages test-system-packages bench-system-packages:
	@missing=$$(for p in $(if $(filter test-%,$@),$(TEST_DEBIAN_PACKAGES),$(if $(filter bench-%,$@),$(BENCH_DEBIAN_PACKAGES),$(DEBIAN_PACKAGES))); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing Debian packages: $$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else \
			echo "Please install: sudo apt-get install $$missing"; exit 1; \
		fi; \
	fi
	@# An empty font cache (fonts removed and not re-indexed) crashes the PDF renderer.
	@if command -v fc-list >/dev/null && ! fc-list | grep -q .; then fc-cache -f; fi

messages: $(VENV)/.installed
	$(PY) manage.py compilemessages --ignore=.venv -v0

migrate: install
	$(PY) manage.py migrate --no-input -v0

run: migrate
	$(PY) manage.py seed_demo --if-empty
	@echo ""
	@echo "  AIMS portal: http://$(HOST):$(PORT)/   (log in with a demo account above; Ctrl-C stops all)"
	@echo ""
	@trap 'kill 0' INT TERM EXIT; \
	$(VENV)/bin/celery -A aims worker --loglevel=warning --concurrency=2 & \
	$(VENV)/bin/celery -A aims beat --loglevel=warning --schedule=var/celerybeat-schedule & \
	$(PY) manage.py runserver $(HOST):$(PORT)

# One test process per core. `--dist load` hands out the tests in pytest-django's order, so that
# each process runs its database tests before the transactional ones, which empty the database.
test: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run -v0
	$(VENV)/bin/pytest --numprocesses auto --dist load

lint: install-dev
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

bench: install bench-system-packages
	$(PY) -m bench $(BENCH_OPTIONS)

clean:
	rm -rf $(VENV) var staticfiles
