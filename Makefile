# Tutela: `make run` and `make test` set up everything they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test bench lint install system clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

system:
	@scripts/ensure-system-packages

run: install
	$(BIN)/tutela demo
	$(BIN)/tutela serve

lint: install
	$(BIN)/ruff check tutela tests bench scripts
	$(BIN)/ruff format --check tutela tests bench scripts
	$(BIN)/mypy
	$(BIN)/mypy tests bench scripts

# pytest exits 5 when it collected nothing: that is a broken suite, never a pass.
# One worker per core (pytest-xdist): most tests wait on subprocesses and servers.
test: install system lint
	@$(BIN)/pytest -n auto; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; fi; \
	exit $$status

bench: install system
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) tutela-data .pytest_cache .mypy_cache .ruff_cache
