# The production image: daphne for HTTP and WebSockets, the same image runs Celery.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 DJANGO_DEBUG=false
WORKDIR /app

RUN useradd --create-home --uid 1000 videovisit

COPY pyproject.toml README.md ./
COPY videovisit ./videovisit
COPY accounts ./accounts
COPY patients ./patients
COPY bookings ./bookings
COPY visits ./visits
COPY guests ./guests
COPY integrations ./integrations
COPY audit ./audit
RUN pip install .

COPY . .
# collectstatic needs settings that import; the real secret comes at run time.
RUN DJANGO_DEBUG=false DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput

USER videovisit
EXPOSE 8000
# -v 0: daphne's own access log would print personal links' tokens (G5); the
# TLS proxy in front keeps access logs, with /in/<token>/ redacted. Half-configured
# (see `check --deploy`), the server refuses to start.
CMD ["sh", "-c", "python manage.py check --deploy --fail-level ERROR && exec daphne -v 0 -b 0.0.0.0 -p 8000 videovisit.asgi:application"]
