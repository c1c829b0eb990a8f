import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
DEPLOY_CHECK = "python manage.py check --deploy --fail-level ERROR && "


def test_compose_starts_the_production_shape_with_health_checks():
    compose = yaml.safe_load(COMPOSE.read_text())
    services = compose["services"]
    assert set(services) >= {"db", "redis", "web", "worker", "beat"}
    for name in ["db", "redis", "web", "worker", "beat"]:
        assert "healthcheck" in services[name], f"{name} has no health check"
    assert "daphne" in str(services["web"]["command"])
    assert "exec celery -A videovisit worker" in str(services["worker"]["command"])
    assert "exec celery -A videovisit beat" in str(services["beat"]["command"])
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


def test_no_server_starts_half_configured():  # S3
    """web, worker and beat each run the deploy check first and stop on its errors:
    web before it migrates, and daphne without its access log, which would print
    personal links' tokens (G5)."""
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    for name in ("web", "worker", "beat"):
        command = services[name]["command"]
        assert command[:2] == ["sh", "-c"] and command[2].startswith(DEPLOY_CHECK), name
    web = services["web"]["command"][2]
    assert web.index("check --deploy") < web.index("migrate") < web.index("exec daphne -v 0 ")


# What the operator supplies (README: Production shape); the rest has defaults.
OPERATOR = {
    "DJANGO_SECRET_KEY": "x7!kq2-production-like-secret-0f9d8s7a6p5o4i3u2y1t-rewq-lkjh-mnbv",
    "DJANGO_ALLOWED_HOSTS": "video.example.se", "SITE_URL": "https://video.example.se",
    "TURN_SECRET": "coturn-static-auth-secret", "TURN_HOST": "video.example.se",
    "ELKS_API_USERNAME": "u1a2b3", "ELKS_API_PASSWORD": "hemligt",
    "EMAIL_HOST": "smtp.example.se", "DEFAULT_FROM_EMAIL": "videobesok@region.example.se",
    "PORTAL_API_URL": "https://inkorg.example.se/api/v1/messages",
    "PORTAL_API_TOKEN": "token-abc123",
}
VARIABLE = re.compile(r"\$\{(\w+)(?::([?-])([^}]*))?\}")


def interpolate(text: str, supplied: dict[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:-default} and ${NAME:?message}."""
    def value(match: re.Match) -> str:
        name, operator, rest = match.groups()
        if name in supplied:
            return supplied[name]
        assert operator != "?", f"compose requires {name}: {rest}"
        return rest or ""
    return VARIABLE.sub(value, text)


def test_the_environment_compose_gives_passes_the_deploy_check(tmp_path):  # S3
    """With what the README asks the operator for, and BankID's files in the mounted
    directory, the servers' own check lets them start."""
    from tests.test_settings import clean_env, rp_certificate

    app = yaml.safe_load(COMPOSE.read_text())["x-app"]
    cert, key = rp_certificate(tmp_path)
    (mount,) = [v for v in app["volumes"] if v.endswith(":/run/bankid:ro")]
    assert interpolate(mount, {}) == "./bankid:/run/bankid:ro"
    env = {name: interpolate(str(value), OPERATOR) for name, value in app["environment"].items()}
    # The volume, as docker mounts it: /run/bankid is the operator's bankid directory.
    assert (env["BANKID_CERT_PATH"], env["BANKID_KEY_PATH"]) == ("/run/bankid/rp.pem",
                                                                 "/run/bankid/rp.key")
    env |= {"BANKID_CERT_PATH": cert, "BANKID_KEY_PATH": key}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "ERROR"],
        cwd=ROOT, env=clean_env(**env), capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
