# VaultPay developer entry points. Everything runs inside .venv; no global installs.
#
#   make run         embedded stack (private PostgreSQL, local-memory cache, eager tasks) on http://127.0.0.1:8000
#                    (reads .env when there is one)
#   make reset-db    delete the embedded PostgreSQL's data (.vaultpay/postgres/); asks first unless FORCE=1
#   make test        whole test suite (a throwaway PostgreSQL, or DATABASE_URL / REDIS_URL when set)
#   make lint        ruff check + ruff format --check
#   make format      ruff format + ruff check --fix
#   make bench       transfer benchmark (bench/transfers.py)
#   make prod-check  Django deploy checks with production-like settings

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY   := $(VENV)/bin/python
PIP  := $(PY) -m pip --disable-pip-version-check
RUFF := $(VENV)/bin/ruff

PYTEST_ARGS ?=
RUNSERVER_ADDR ?= 127.0.0.1:8000

# Stamp files: dependencies are (re)installed only when a requirements file changes.
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev

FORCE ?=
EMBEDDED_DB := $(PY) -m vaultpay.embedded_db

.PHONY: help venv install install-dev run serve-steps reset-db test lint format bench prod-check clean

help:
	@echo "Targets: run, reset-db, test, lint, format, bench, prod-check, venv, clean"

# An existing .venv is kept as is; it is only created when its interpreter is missing.
$(PY):
	python3 -m venv $(VENV)

# Order-only prerequisite (|): .venv/bin/python is a symlink whose timestamp says nothing useful.
$(STAMP_RUN): requirements.txt | $(PY)
	$(PIP) install -r requirements.txt
	@touch $@

$(STAMP_DEV): requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install -r requirements-dev.txt
	@touch $@

venv: $(STAMP_DEV)

install: $(STAMP_RUN)

install-dev: $(STAMP_DEV)

# The embedded PostgreSQL is held for all the steps below and stopped when they end (Ctrl-C included);
# with DATABASE_URL set, the steps run against that server instead.
run: $(STAMP_RUN)
	@$(EMBEDDED_DB) run -- $(MAKE) --no-print-directory serve-steps

serve-steps:
	$(PY) manage.py migrate --noinput
	$(PY) manage.py create_system_wallets
	$(PY) manage.py seed_demo
	$(PY) manage.py collectstatic --noinput
	$(PY) manage.py runserver $(RUNSERVER_ADDR)

reset-db: $(STAMP_RUN)
	@$(EMBEDDED_DB) reset $(if $(filter 1 yes true,$(FORCE)),--force)

test: $(STAMP_DEV)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(STAMP_DEV)
	$(RUFF) check .
	$(RUFF) format --check .

format: $(STAMP_DEV)
	$(RUFF) format .
	$(RUFF) check --fix .

bench: $(STAMP_DEV)
	$(PY) bench/transfers.py

# The secret key below exists only so the deploy checks can run; it is never used to serve anything.
# Only the check framework runs here: no connection is made to PostgreSQL or Redis.
prod-check: $(STAMP_RUN)
	DJANGO_DEBUG=false \
	DJANGO_SECRET_KEY=prodcheck7Qm2vX9pL4sT8wK1nR6yB3hJ5dF0gZcVaUeMiOtWqYxNbRs2Lk9Pj4Hf \
	PIN_PEPPER=prodcheckPepper4Xq8Lm2Vn7Rb5Tz1Wc9Ky3Hd6Fs0Gj \
	IP_HASH_KEY=prodcheckIpKey8Pw3Nz6Qt1Vb4Xm7Lc2Rh5Ks9Dj0Gf \
	AUDIT_CHAIN_KEY=prodcheckAuditKey2Vx7Mq4Lp9Rt1Wn6Kb3Hz8Dj5Fs0 \
	KYC_MASTER_KEYS=prodcheck:cHJvZGNoZWNrLW9ubHktbm90LWEtcmVhbC1rZXktMDA= \
	KYC_FINGERPRINT_PEPPER=prodcheckFingerprint5Tq9Wm2Xr7Lb4Nz1Kc8Vd3Hs6 \
	DJANGO_SECURE=true \
	DJANGO_ALLOWED_HOSTS=vaultpay.example.com \
	DJANGO_CSRF_TRUSTED_ORIGINS=https://vaultpay.example.com \
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/vaultpay \
	REDIS_URL=redis://127.0.0.1:6379/0 \
	$(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf staticfiles .pytest_cache .ruff_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
