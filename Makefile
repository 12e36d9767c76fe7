# Two commands do everything: `make run` (the main job on the bundled examples) and `make test`.
# Both create .venv and install the project on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test reliability bench lint clean

$(BIN)/rnw: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/rnw

run: $(BIN)/rnw
	$(BIN)/rnw run

# One worker per core; a module's tests stay together and in order (--dist loadscope), as they
# share a module-scoped warehouse. Tests that time request spacing run alone afterwards: beside
# another worker's dbt build, a loopback server logged an arrival 65 ms late (CI, 30th session).
test: $(BIN)/rnw
	$(BIN)/pytest -q -n auto --dist loadscope -m "not timing"
	$(BIN)/pytest -q -m timing

# The full reliability suite (1,000 faulty fetches, unbounded fuzzing, 100 MB lines); CI runs it reduced.
reliability: $(BIN)/rnw
	RNW_RELIABILITY=full $(BIN)/pytest -q -m reliability

bench: $(BIN)/rnw
	$(BIN)/python bench/pipeline.py --pages 1000 10000 --json bench/pipeline-latest.json

lint: $(BIN)/rnw
	$(BIN)/ruff check .

clean:
	rm -rf var
