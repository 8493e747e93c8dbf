# The bot's image: `docker compose up` (compose.yaml) runs it as the Procfile's web and worker
# processes beside PostgreSQL. Built from this checkout's own files, nothing fetched but packages.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/backlinks \
    PATH=/opt/backlinks/bin:$PATH

# A plain (non-editable) install into a virtual environment: the sources are dropped after it, so
# the image holds site-packages and nothing of the checkout.
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY providers ./providers
COPY knowledge ./knowledge
# `serve` needs the platforms' libraries and PostgreSQL's driver; sentry-sdk reports errors only
# when BACKLINKS_SENTRY_DSN is set.
RUN python -m venv "$VIRTUAL_ENV" \
    && python -m pip install ".[slack,discord,postgres,sentry]" \
    && rm -rf /src

# Never root: a process that is taken over can't touch the image or the host's mounts as root.
RUN useradd --system --uid 10001 --create-home --home-dir /home/backlinks backlinks
USER backlinks
WORKDIR /home/backlinks

# Both roles answer /healthz on PORT (the web with Slack's routes, the worker with only /healthz
# and /metrics); slim images have no curl, so Python asks.
ENV PORT=3000
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"]

CMD ["backlinks", "serve", "--role", "web"]
