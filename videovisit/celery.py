"""The Celery app: broker and policies come from Django settings (CELERY_*)."""

import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger
from celery.utils.log import get_multiprocessing_logger

from videovisit.logging import redact_handlers

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "videovisit.settings")

app = Celery("videovisit")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@after_setup_logger.connect
@after_setup_task_logger.connect
def redact_link_tokens(*, logger, **kwargs) -> None:
    """Worker and beat log through handlers of Celery's making: it replaces the root
    logger's (worker_hijack_root_logger), gives task loggers and the pool's their own,
    and sends print()ed output to the root logger at WARNING. Each of those handlers
    gets the filter settings.LOGGING gives the web server's, so that no personal link's
    token reaches the log (G5)."""
    redact_handlers(logger)
    redact_handlers(get_multiprocessing_logger())


@app.task(name="videovisit.ping", ignore_result=False)
def ping() -> str:
    """Answer "pong" from whichever worker took the task; used by health checks."""
    return "pong"
