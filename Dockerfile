# Production image of the AIMS portal: gunicorn by default; the same image runs the Celery
# worker and beat (see docker-compose.yml). Browser tests are not part of this image.
FROM python:3.11-slim-bookworm

# PYTHONPATH: the source tree in /app comes before the installed copy, so that BASE_DIR
# (templates, locale, static files) is /app for gunicorn, manage.py and celery alike.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_DEBUG=0 \
    AIMS_VAR_DIR=/var/lib/aims

# gettext compiles the translations; Pango and fonts are what WeasyPrint renders PDFs with.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 aims \
    && useradd --system --uid 10001 --gid aims --home-dir /var/lib/aims --no-create-home \
        --shell /usr/sbin/nologin aims

WORKDIR /app
COPY . .
RUN pip install --no-cache-dir .

# Settings refuse to load without a secret key and allowed hosts when DJANGO_DEBUG=0; these
# placeholders exist only for this build step and are not part of the image's environment.
RUN DJANGO_SECRET_KEY=build-only-placeholder-not-used-at-runtime \
    DJANGO_ALLOWED_HOSTS=build.invalid \
    AIMS_VAR_DIR=/tmp/aims-build \
    sh -c 'python manage.py compilemessages && python manage.py collectstatic --noinput' \
    && rm -rf /tmp/aims-build

RUN mkdir -p /var/lib/aims && chown aims:aims /var/lib/aims

USER aims
EXPOSE 8000
# The same worker count and timeout as docker-compose.yml (README "Performance" gives the reasons).
CMD ["gunicorn", "aims.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "5", \
     "--timeout", "60", "--graceful-timeout", "30", "--max-requests", "1000", \
     "--max-requests-jitter", "100"]
