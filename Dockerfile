# syntax=docker/dockerfile:1
# The TalentMap CLI and API, serving the page at /. Neo4j runs in its own container (see
# docker-compose.yml).
#   docker build -t talentmap:local .
#   docker run --rm -p 8000:8000 -e NEO4J_URI=bolt://HOST:7687 -e NEO4J_PASSWORD=... talentmap:local

# The page (web/): built with Node 20 (20.19+: Vite 7) from the lock file, its types generated
# from the API's SDL; only the built files go on to the image.
FROM node:20-bookworm-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY api/schema.graphql /src/api/schema.graphql
COPY web/ ./
RUN npm run lint && npm run build

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system --gid 10001 talentmap \
    && useradd --system --uid 10001 --gid talentmap --create-home --home-dir /home/talentmap \
       --shell /usr/sbin/nologin talentmap \
    && install -d -o talentmap -g talentmap /var/lib/talentmap

WORKDIR /app

# Dependencies first, in their own layer: it is rebuilt only when pyproject.toml changes.
COPY pyproject.toml README.md ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# Then the project itself (no dependency resolution: they are all installed above).
COPY talentmap/ talentmap/
COPY graph/ graph/
COPY api/ api/
COPY ingest/ ingest/
COPY schema/ schema/
RUN pip install --no-deps . \
    && rm -rf build ./*.egg-info

# The built page (hashed assets, index.html, GraphiQL's files), served by `talentmap serve`.
COPY --from=web /src/web/dist web/dist

# The bundled sample, so `talentmap ingest openalex data/sample/openalex/works.jsonl` works
# from the working directory.
COPY data/ data/

# Quarantined lines and other state go here (writable by the runtime user only).
ENV TALENTMAP_HOME=/var/lib/talentmap \
    TALENTMAP_WEB_DIST=/app/web/dist \
    TALENTMAP_API_HOST=0.0.0.0 \
    TALENTMAP_API_PORT=8000

USER talentmap

EXPOSE 8000

CMD ["talentmap", "serve", "--host", "0.0.0.0", "--port", "8000"]
