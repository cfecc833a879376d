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

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin xent
WORKDIR /app

# Dependencies first, so that a code change does not reinstall them. torch comes from PyTorch's
# CPU-only index: the default wheel would add several GB of CUDA libraries the image never uses.
COPY requirements.txt .
RUN pip install --no-cache-dir --index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
 && pip install --no-cache-dir -r requirements.txt

COPY --chown=xent:xent app.py ./
COPY --chown=xent:xent pages/ pages/
COPY --chown=xent:xent xentcore/ xentcore/
COPY --chown=xent:xent xentui/ xentui/
COPY --chown=xent:xent README.md ./
# The production profile replaces the local configuration.
COPY --chown=xent:xent deploy/config.production.toml .streamlit/config.toml

USER 10001
EXPOSE 8501
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request as u, sys; sys.exit(u.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).read() != b'ok')"]

# Set STREAMLIT_SERVER_COOKIE_SECRET to the same value on every replica.
ENTRYPOINT ["streamlit", "run", "app.py", "--server.port=8501", "--server.address=0.0.0.0"]
