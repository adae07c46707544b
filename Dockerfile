# Production image of Asukasportaali.
#   docker build -t asukasportaali .
#   docker run -p 8000:8000 -e PORTAL_DATABASE_URL=postgresql://portal@db/portal \
#     -e PORTAL_SECRET_KEY=... -e PORTAL_BASE_URL=https://portal.example.org asukasportaali
# Every start applies the migrations first; a command given to `docker run` (for example
# `portal seed` or `portal create-admin`) runs after them instead of the web server.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Times are shown in Europe/Helsinki: make sure the time-zone database is there. The printed
# invitations (PDF, WeasyPrint) need Pango, HarfBuzz's subsetter and a font with Finnish and
# Swedish letters (DejaVu).
RUN apt-get update \
    && apt-get install -y --no-install-recommends tzdata \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system portal \
    && useradd --system --gid portal --home-dir /srv/portal --no-create-home portal

# The app reads alembic.ini, migrations/ and seeds/ from the folder that holds its package
# (app.config.ROOT), so the source stays here and is installed in editable mode.
WORKDIR /srv/portal
COPY pyproject.toml constraints.txt README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY seeds ./seeds
RUN pip install -c constraints.txt -e . \
    && mkdir -p var \
    && chown portal:portal var

USER portal
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

ENTRYPOINT ["/bin/sh", "-c", "portal migrate && exec \"$@\"", "portal-entrypoint"]
CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000", "--proxy-headers"]
