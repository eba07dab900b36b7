# UMPro — the two commands a newcomer types: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PORT ?= 5000
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench setup db demo clean translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP) translations

translations: $(STAMP)
	@$(BIN)/pybabel compile -q -d translations 2>/dev/null || $(BIN)/pybabel compile -d translations

db: setup
	UMPRO_CONFIG=development $(FLASK) db upgrade

demo: db
	UMPRO_CONFIG=development $(FLASK) umpro demo > /dev/null

run: demo
	@echo ""
	@echo "UMPro : http://127.0.0.1:$(PORT)  (mot de passe de démonstration : $${UMPRO_DEMO_PASSWORD:-umpro-demo-2026})"
	@echo "Comptes de démonstration :"
	@UMPRO_CONFIG=development $(FLASK) umpro demo --list | sed 's/^/  /'
	@echo ""
	@# Exactly one scheduler beside the web app (docs/deployment.md); the web app never
	@# starts one. It stops when the web server exits (trap), or if this shell dies.
	@UMPRO_CONFIG=development $(FLASK) umpro scheduler --exit-with-parent & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	UMPRO_CONFIG=development $(FLASK) run --host 127.0.0.1 --port $(PORT)

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) instance .pytest_cache
