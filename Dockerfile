# One image for every RegAlerts process: `regalerts ingest|classify|notify`, `regalerts db upgrade`,
# `regalerts topics create`. Slim, pinned base; runs as an unprivileged user.
ARG PYTHON_IMAGE=python:3.11.7-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/regalerts
ENV PATH=/opt/regalerts/bin:$PATH
WORKDIR /src
# Dependencies first, from the pinned lock file, so a code change does not reinstall them.
COPY requirements.lock ./
RUN pip install --require-virtualenv -r requirements.lock
COPY pyproject.toml README.md ./
COPY services ./services
RUN pip install --require-virtualenv --no-deps . \
    && python -m compileall -q /opt/regalerts/lib

FROM ${PYTHON_IMAGE}
RUN groupadd --system --gid 10001 regalerts \
    && useradd --system --uid 10001 --gid regalerts --home-dir /var/lib/regalerts --create-home \
       --shell /usr/sbin/nologin regalerts
COPY --from=build /opt/regalerts /opt/regalerts
ENV PATH=/opt/regalerts/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    REGALERTS_HTTP_HOST=0.0.0.0
WORKDIR /var/lib/regalerts
USER 10001:10001
# ingest, classify, notify (REGALERTS_HTTP_PORT picks the one a container serves).
EXPOSE 8701 8702 8703
ENTRYPOINT ["regalerts"]
CMD ["--help"]
