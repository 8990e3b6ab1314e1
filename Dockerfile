# syntax=docker/dockerfile:1

# --- builder: resolve and build every dependency into wheels -------------------------------------
FROM python:3.11-slim AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /build
COPY requirements.txt .
RUN pip wheel --wheel-dir /wheels -r requirements.txt


# --- runtime: only the wheels, the code and the collected static files ---------------------------
FROM python:3.11-slim AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    LOG_FORMAT=json \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus

RUN groupadd --system vaultpay \
    && useradd --system --gid vaultpay --home-dir /app --no-create-home --shell /usr/sbin/nologin vaultpay

WORKDIR /app

COPY --from=builder /wheels /wheels
COPY requirements.txt .
RUN pip install --no-index --find-links=/wheels -r requirements.txt \
    && rm -rf /wheels

COPY . .

# The secrets exist only for this build step; the running container gets its own from the
# environment (DJANGO_SECRET_KEY, PIN_PEPPER, IP_HASH_KEY in .env).
RUN DJANGO_SECRET_KEY=collectstatic-build-step-only-not-a-secret-9f3c1e7a5b2d4068 \
    PIN_PEPPER=collectstatic-build-step-only \
    IP_HASH_KEY=collectstatic-build-step-only \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/media /tmp/prometheus \
    && chown vaultpay:vaultpay /app/media /tmp/prometheus

USER vaultpay

EXPOSE 8000

# The web process answers /healthz (database and cache) on any Host header; python:3.11-slim has no
# curl, and urllib raises (non-zero exit) on any non-2xx answer. Worker and beat containers override
# this in docker-compose.yml.
HEALTHCHECK --interval=10s --timeout=10s --start-period=30s --retries=5 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:8000/healthz', timeout=5)"]

# Threaded workers: a transfer spends much of its time waiting on PostgreSQL's commit, so threads
# keep both cores busy (bench/README.md has the measurement behind 2 x 8 on a 2-core host).
# No gunicorn access log: VaultPay writes its own (vaultpay.access_log), with the request id and no IP.
# gunicorn.conf.py (read from /app) keeps the Prometheus samples of all worker processes together.
CMD exec gunicorn vaultpay.wsgi:application --bind 0.0.0.0:8000 --worker-class gthread \
    --workers ${GUNICORN_WORKERS:-2} --threads ${GUNICORN_THREADS:-8}
