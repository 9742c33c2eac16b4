# Tutela: `make run` and `make test` set up everything they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO_STAMP := $(VENV)/.demo-stamp

.PHONY: run test test-long bench lint install system clean fuzz audit screenshots

# Seconds each parser is fuzzed by `make fuzz` (coverage-guided, atheris).
FUZZ_SECONDS ?= 60

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# `tutela demo` needs the demo extra (Faker); the product itself does not.
$(DEMO_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[demo]'
	@touch $(DEMO_STAMP)

system:
	@scripts/ensure-system-packages

run: $(DEMO_STAMP)
	$(BIN)/tutela demo
	$(BIN)/tutela serve

lint: install
	$(BIN)/ruff check tutela tests bench scripts
	$(BIN)/ruff format --check tutela tests bench scripts
	$(BIN)/mypy
	$(BIN)/mypy tests bench scripts
	$(BIN)/lint-imports --no-cache

# pytest exits 5 when it collected nothing: that is a broken suite, never a pass.
# One worker per core (pytest-xdist); a worker that runs out of tests steals
# from the other (--dist worksteal), so one slow file does not end the run alone.
# The crash tests kill each command TUTELA_TEST_KILLS times (5 unless set).
PYTEST_RUN = $(BIN)/pytest -n auto --dist worksteal
test: install system lint
	@$(PYTEST_RUN); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; fi; \
	exit $$status

# The same suite with the crash tests' full 20 kills per source and backend.
test-long: install system lint
	@TUTELA_TEST_KILLS=20 $(PYTEST_RUN); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; fi; \
	exit $$status

# Every parser, coverage-guided, for FUZZ_SECONDS each; a crash stops the run
# and leaves the failing input as crash-<hash> in the current directory.
fuzz: install
	@for target in $$($(BIN)/python -m tests.fuzz.atheris_main --list); do \
		echo "fuzzing $$target for $(FUZZ_SECONDS)s"; \
		$(BIN)/python -m tests.fuzz.atheris_main $$target --seconds $(FUZZ_SECONDS) \
			2>fuzz-$$target.log || { tail -n 40 fuzz-$$target.log; exit 1; }; \
		grep -h "stat::number_of_executed_units" fuzz-$$target.log; \
		rm -f fuzz-$$target.log; \
	done

# Known vulnerabilities in the installed dependencies (scripts/audit-deps):
# fails, saying so, when the vulnerability data cannot be reached.
audit: install
	@scripts/audit-deps

# The console's screenshots in docs/screenshots/ (the README's tour).
screenshots: install system
	TUTELA_WRITE_SCREENSHOTS=1 $(BIN)/pytest -q \
		tests/web/test_console_browser.py -k "sqlite"

bench: install system
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) tutela-data .pytest_cache .mypy_cache .ruff_cache
