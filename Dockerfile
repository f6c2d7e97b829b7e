# The launchgate GitHub Action image. BASE_IMAGE must be a Debian-based image with python3
# (>= 3.11) and venv; the default is the official slim image, pinned.
ARG BASE_IMAGE=python:3.11.11-slim-bookworm

FROM ${BASE_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY launchgate ./launchgate
RUN python -m venv /opt/launchgate \
 && /opt/launchgate/bin/pip install --no-compile . \
 && /opt/launchgate/bin/python -m compileall -q /opt/launchgate/lib

FROM ${BASE_IMAGE}
# git reads the repository (secrets check); CA certificates verify the targets' TLS.
# Not version-pinned on purpose: the distribution's security updates matter more here.
# hadolint ignore=DL3008
RUN if ! command -v git >/dev/null 2>&1 || [ ! -f /etc/ssl/certs/ca-certificates.crt ]; then \
      apt-get update \
      && apt-get install -y --no-install-recommends git ca-certificates \
      && rm -rf /var/lib/apt/lists/*; \
    fi
COPY --from=build /opt/launchgate /opt/launchgate
COPY entrypoint.py /app/entrypoint.py
ENV PATH=/opt/launchgate/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
# GitHub runs Docker actions as root with --workdir /github/workspace (owned by the runner's
# uid): entrypoint.py marks it as a git safe.directory.
WORKDIR /github/workspace
# Exec form: a /bin/sh wrapper would drop the runner's INPUT_GITHUB-TOKEN style variables.
ENTRYPOINT ["/opt/launchgate/bin/python", "/app/entrypoint.py"]
