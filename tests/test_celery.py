"""A task goes through the Redis broker to a real worker, not run eagerly."""

from celery.contrib.testing.worker import start_worker
from django.conf import settings

from videovisit.celery import app, ping


def test_a_task_goes_through_redis_to_a_worker():
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = ping.delay()
        assert result.get(timeout=20) == "pong"
        # A result fetched from the backend means a worker ran it, not this process.
        assert result.state == "SUCCESS"
        assert result.backend.__class__.__name__ == "RedisBackend"
