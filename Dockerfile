# Circles: a slim image that runs as a non-root user.
# Build: docker build -t circles .   Run: see compose.yaml and the README.
FROM python:3.11-slim AS build
WORKDIR /app
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY pyproject.toml README.md alembic.ini ./
COPY forum forum
COPY moderation moderation
COPY realtime realtime
RUN python -m venv /venv && /venv/bin/pip install .

FROM python:3.11-slim
RUN useradd --system --uid 10001 --home /app circles
WORKDIR /app
COPY --from=build /venv /venv
COPY alembic.ini ./
COPY migrations migrations
COPY static static
ENV PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    CIRCLES_ENV=production \
    CIRCLES_STATIC_DIR=/app/static \
    CIRCLES_PROJECT_ROOT=/app
USER circles
EXPOSE 8000
CMD ["sh", "-c", "circles migrate && circles serve --host 0.0.0.0 --port 8000"]
