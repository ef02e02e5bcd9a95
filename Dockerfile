# The QMS image: the web server, the task worker and the periodic jobs run from it
# (compose.yaml). Built from this repository: `docker compose build` or `docker build -t qms .`
# Debian 13 (trixie): its PostgreSQL client is 17, as new as compose.yaml's server or newer, as
# pg_dump requires.
FROM python:3.11-slim-trixie

# Fonts for report PDFs (fpdf2 draws text in DejaVu Sans), and the PostgreSQL client for
# `qms backup` and `qms restore` against a PostgreSQL database.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core postgresql-client \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    QMS_DATA_DIR=/var/lib/qms \
    STATIC_ROOT=/opt/qms/static \
    MEDIA_ROOT=/var/lib/qms/media

WORKDIR /opt/qms
COPY pyproject.toml README.md ./
COPY src ./src
# The shared cache (Redis) and the object store (S3) are chosen by environment variables; the
# image carries both clients.
RUN pip install --no-cache-dir '.[redis,s3]'
COPY gunicorn.conf.py ./

# Static files are gathered into the image, so every web container serves the same ones
# (WhiteNoise) and none needs a volume for them. The key here is only for this step.
RUN SECRET_KEY=collectstatic-only QMS_DATA_DIR=/tmp/qms qms collectstatic --no-input \
    && rm -rf /tmp/qms

RUN useradd --system --uid 10001 --home-dir /var/lib/qms qms \
    && mkdir -p /var/lib/qms/media \
    && chown -R qms /var/lib/qms
USER qms

ENV QMS_BIND=0.0.0.0:8000
EXPOSE 8000
CMD ["gunicorn", "-c", "gunicorn.conf.py", "qms.config.wsgi"]
