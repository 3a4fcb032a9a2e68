# The server image: the wheel with the aws extra in a venv, run as a non-root user (docs/aws/container.md).
#   docker build -t video-call-escalation .
#   docker run --rm -p 8080:8080 -e VCE_MODE=aws ... video-call-escalation
# Both stages run the scripts in scripts/package/, which tests/package/ runs too (no Docker daemon needed there).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m pip install build==1.6.1
WORKDIR /src
COPY . .
RUN PYTHON=python sh scripts/package/build.sh /dist

FROM ${PYTHON_IMAGE} AS runtime
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
COPY --from=build /dist /tmp/dist
COPY scripts/package/install.sh /tmp/install.sh
RUN PYTHON=python sh /tmp/install.sh /opt/vce /tmp/dist \
    && rm -rf /tmp/dist /tmp/install.sh \
    && groupadd --system --gid 10001 vce \
    && useradd --system --uid 10001 --gid vce --home-dir /var/lib/vce --create-home --shell /usr/sbin/nologin vce \
    && install -d -o vce -g vce -m 0750 /var/lib/vce/data /var/lib/vce/nicegui
# VCE_MODE stays unset (local): the deployer sets aws and the settings. The data folder belongs to the user (a
# volume mounted there takes its owner); NiceGUI keeps its agent-session storage beside it, not in the working folder.
ENV PATH=/opt/vce/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    VCE_HOST=0.0.0.0 \
    VCE_PORT=8080 \
    VCE_LOG_FORMAT=json \
    VCE_DATA_DIR=/var/lib/vce/data \
    NICEGUI_STORAGE_PATH=/var/lib/vce/nicegui
USER 10001:10001
WORKDIR /var/lib/vce
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; u.build_opener(u.ProxyHandler({})).open(f'http://127.0.0.1:{os.environ[\"VCE_PORT\"]}/healthz', timeout=4)"]
CMD ["vce", "serve"]
