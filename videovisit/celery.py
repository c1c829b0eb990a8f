"""The Celery app: broker and policies come from Django settings (CELERY_*)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "videovisit.settings")

app = Celery("videovisit")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="videovisit.ping", ignore_result=False)
def ping() -> str:
    """Answer "pong" from whichever worker took the task; used by health checks."""
    return "pong"
