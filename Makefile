# RegAlerts — `make run` runs the product on this machine, `make test` runs the tests.
# Each target creates .venv and installs what it needs on a fresh machine.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install system-deps run test lint format bench docs lock clean

# The pinned dependencies, then the package itself, editable (pure Python: nothing is compiled).
$(STAMP): pyproject.toml requirements.lock requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock -r requirements-dev.lock
	$(PY) -m pip install --quiet --no-deps -e .
	rm -f services/classify/*.so *__mypyc.*.so  # left by the former compiled build; Python would import them
	touch $(STAMP)

install: $(STAMP)

# Debian packages the tests use as real peers: Prometheus and promtool, and Chromium for the page tests
# (with a CJK font, so screenshots of Chinese items show their characters).
system-deps:
	@missing=""; \
	command -v promtool >/dev/null 2>&1 || missing="$$missing prometheus"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi wenquanyi || missing="$$missing fonts-wqy-microhei"; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages the tests use as real peers:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

run: install
	$(VENV)/bin/regalerts up --demo

test: install system-deps
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy services
	$(VENV)/bin/regalerts docs generate --check

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

docs: install
	$(VENV)/bin/regalerts docs generate

bench: install
	@for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

# Re-pin every dependency after changing pyproject.toml: requirements.lock holds what the services run
# with (the container image installs only that), requirements-dev.lock what tests, lint and benchmarks add.
lock:
	rm -rf $(VENV)-lock && $(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/pip install --quiet -e .
	$(VENV)-lock/bin/pip freeze --exclude-editable | grep -v '^regalerts' > requirements.lock
	$(VENV)-lock/bin/pip install --quiet -e '.[dev]'
	$(VENV)-lock/bin/pip freeze --exclude-editable | grep -v '^regalerts' | grep -vxF -f requirements.lock > requirements-dev.lock
	rm -rf $(VENV)-lock

clean:
	rm -rf $(VENV) var build .pytest_cache .mypy_cache .ruff_cache services/classify/*.so *__mypyc.*.so
