from pathlib import Path

import yaml

COMPOSE = Path(__file__).resolve().parent.parent / "docker-compose.yml"


def test_compose_starts_the_production_shape_with_health_checks():
    compose = yaml.safe_load(COMPOSE.read_text())
    services = compose["services"]
    assert set(services) >= {"db", "redis", "web", "worker", "beat"}
    for name in ["db", "redis", "web", "worker", "beat"]:
        assert "healthcheck" in services[name], f"{name} has no health check"
    assert "daphne" in str(services["web"]["command"])
    assert services["worker"]["command"][:4] == ["celery", "-A", "videovisit", "worker"]
    assert "beat" in str(services["beat"]["command"])
    db_volumes = services["db"]["volumes"]
    assert any(str(v).endswith("/var/lib/postgresql/data") for v in db_volumes)
    assert set(compose["volumes"]) >= {v.split(":")[0] for v in db_volumes}
    for name in ["web", "worker", "beat"]:
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://")


def test_compose_runs_coturn_with_expiring_credentials_for_the_room():  # R3
    compose = yaml.safe_load(COMPOSE.read_text())
    turn = compose["services"]["turn"]
    assert turn["image"].startswith("coturn/coturn")
    assert "--use-auth-secret" in turn["command"]
    assert any(arg.startswith("--static-auth-secret=${TURN_SECRET") for arg in turn["command"])
    env = compose["services"]["web"]["environment"]
    assert env["TURN_SECRET"].startswith("${TURN_SECRET")
    assert env["ROOM_TURN_URLS"].startswith("turn:")


def test_the_web_server_pools_its_connections_and_the_workers_keep_theirs():
    """Under daphne a connection kept for the next request is never reused (settings)."""
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    web = services["web"]["environment"]
    assert int(web["DATABASE_POOL_MAX_SIZE"]) > 0
    assert web["DATABASE_CONN_MAX_AGE"] == "0"
    for name in ("worker", "beat"):
        env = services[name]["environment"]
        assert "DATABASE_POOL_MAX_SIZE" not in env and int(env["DATABASE_CONN_MAX_AGE"]) > 0
