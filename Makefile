# Two commands do everything: `make run` (the main job on the bundled examples) and `make test`.
# Both create .venv and install the project on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint clean

$(BIN)/rnw: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/rnw

run: $(BIN)/rnw
	$(BIN)/rnw run

test: $(BIN)/rnw
	$(BIN)/pytest -q

lint: $(BIN)/rnw
	$(BIN)/ruff check .

clean:
	rm -rf var
