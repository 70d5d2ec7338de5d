"""Find the local services for `make run` and print shell exports for them.

PostgreSQL and Redis are used when DATABASE_URL / REDIS_URL are set, or when they answer on
localhost (the database `socialmedai` is created if missing). Otherwise nothing is exported and
the settings fall back to SQLite, a locmem cache, an in-memory channel layer and eager Celery,
each with a warning. Usage: eval "$(python -m project.devenv)"
"""

import os
import shlex
import socket
import sys

LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/socialmedai"
LOCAL_REDIS = "redis://127.0.0.1:6379/0"


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _ensure_local_database() -> bool:
    try:
        import psycopg

        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True, connect_timeout=3
        ) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'socialmedai'").fetchone():
                conn.execute("CREATE DATABASE socialmedai")
                print("devenv: created PostgreSQL database 'socialmedai'", file=sys.stderr)
        return True
    except Exception as exc:  # any failure means: do not use it, say why
        print(f"devenv: PostgreSQL answers on 127.0.0.1:5432 but cannot be used ({exc})", file=sys.stderr)
        return False


def main() -> None:
    exports = {}
    if not os.environ.get("DATABASE_URL") and _answers("127.0.0.1", 5432) and _ensure_local_database():
        exports["DATABASE_URL"] = LOCAL_POSTGRES
    if not os.environ.get("REDIS_URL") and _answers("127.0.0.1", 6379):
        exports["REDIS_URL"] = LOCAL_REDIS
    for name, value in exports.items():
        print(f"export {name}={shlex.quote(value)}")
        print(f"devenv: using {name}={value}", file=sys.stderr)


if __name__ == "__main__":
    main()
