# UMPro — the two commands a newcomer types: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PORT ?= 5000
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench setup db demo clean translations lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Installs exactly the locked versions, hashes checked (requirements/dev.txt; `make lock`
# after a change of pyproject.toml's dependencies), then UMPro itself without dependencies.
# The lock lists every dependency (--no-deps: no resolution to redo); modules are compiled
# when first imported rather than all at install (--no-compile: half the install time).
$(STAMP): requirements/dev.txt pyproject.toml | $(BIN)/python
	@echo "Installation des dépendances dans $(VENV) (une demi-minute environ la première fois ;"
	@echo "détail dans $(VENV)/install.log)…"
	@{ $(BIN)/pip install --disable-pip-version-check --no-compile --no-deps \
	    --require-hashes -r requirements/dev.txt && \
	  $(BIN)/pip install --disable-pip-version-check --no-deps -e . ; } > $(VENV)/install.log 2>&1 \
	  || { tail -n 30 $(VENV)/install.log; echo "Échec de l'installation : voir $(VENV)/install.log"; exit 1; }
	@echo "Dépendances installées."
	@touch $(STAMP)

# Re-pins every dependency within pyproject.toml's ranges, with hashes: dev (what make
# installs) and prod (what a deployment installs: docs/deployment.md).
lock: | $(BIN)/python
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --upgrade --generate-hashes --allow-unsafe --strip-extras \
	  --no-emit-index-url --no-emit-find-links --extra dev --extra prod -o requirements/dev.txt pyproject.toml
	$(BIN)/pip-compile --quiet --upgrade --generate-hashes --allow-unsafe --strip-extras \
	  --no-emit-index-url --no-emit-find-links --extra prod -o requirements/prod.txt pyproject.toml

setup: $(STAMP) translations

translations: $(STAMP)
	@$(BIN)/pybabel compile -d translations > /dev/null 2>&1 || $(BIN)/pybabel compile -d translations

db: setup
	@echo "Base de données : mise à jour du schéma (détail dans $(VENV)/db.log)…"
	@UMPRO_CONFIG=development $(FLASK) db upgrade > $(VENV)/db.log 2>&1 \
	  || { cat $(VENV)/db.log; exit 1; }

demo: db
	@echo "Démonstration : la maison de santé des Tilleuls (une demi-minute la première fois)…"
	@UMPRO_CONFIG=development $(FLASK) umpro demo > /dev/null

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

# One worker per core (pytest-xdist; on PostgreSQL each worker has a database of its own,
# tests/conftest.py): `make test TEST_WORKERS=0` runs the suite in this one process.
TEST_WORKERS ?= auto
test: setup
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) instance .pytest_cache
