# xent for a class: one image, production settings, no CUDA libraries.
FROM python:3.11-slim

LABEL org.opencontainers.image.title="xent" \
      org.opencontainers.image.description="Cross-entropy loss made visible: a Streamlit app on a NumPy core faithful to PyTorch." \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="0.1.0"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# nginx keeps each browser on one of the Streamlit processes (deploy/serve.py). Debian's security
# updates replace the exact version, so a pinned one would soon stop installing.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends nginx \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin xent
WORKDIR /app

# Dependencies first, so that a code change does not reinstall them. torch comes from PyTorch's
# CPU-only index: the default wheel would add several GB of CUDA libraries the image never uses.
# Streamlit runs its server on uvloop when it is installed: a Playground rerun cost 32 ms of CPU
# instead of 41 (median of 3 runs each, ranges 31–38 and 39–42 ms, benchmarks/load.py).
COPY requirements.txt .
RUN pip install --no-cache-dir --index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
 && pip install --no-cache-dir -r requirements.txt uvloop==0.23.0

COPY --chown=xent:xent app.py ./
COPY --chown=xent:xent pages/ pages/
COPY --chown=xent:xent xentcore/ xentcore/
COPY --chown=xent:xent xentui/ xentui/
COPY --chown=xent:xent README.md ./
# The production profile replaces the local configuration.
COPY --chown=xent:xent deploy/config.production.toml .streamlit/config.toml
COPY --chown=xent:xent deploy/serve.py deploy/
COPY --chown=xent:xent deploy/nginx/xent.conf deploy/nginx/

USER 10001
EXPOSE 8501
HEALTHCHECK --interval=15s --timeout=5s --start-period=40s --retries=3 \
  CMD ["python", "-c", "import urllib.request as u, sys; sys.exit(u.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).read() != b'ok')"]

# One `streamlit run app.py` per CPU the container may use, behind nginx on port 8501
# (XENT_PROCESSES=1: one process on 8501 and no nginx, as each Kubernetes pod runs). Across
# containers, set STREAMLIT_SERVER_COOKIE_SECRET to the same value in every one.
ENV XENT_PORT=8501
ENTRYPOINT ["python", "deploy/serve.py"]
