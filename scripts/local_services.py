"""Which of this machine's test servers answer: PostgreSQL and Redis on their default local
ports, as `.ci/run` uses them. Prints `NAME=URL` for each that answers (for test.sh to
export) and says on stderr why another does not. A variable already set is kept as it is.

    python scripts/local_services.py [--postgres URL] [--redis URL]
"""

import argparse
import os
import sys

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/0"
TIMEOUT_S = 2


def postgres_answers(url: str) -> str | None:
    """None if a connection to `url` opens; else why not."""
    import psycopg

    try:
        psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1),
                        connect_timeout=TIMEOUT_S).close()
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return None


def redis_answers(url: str) -> str | None:
    """None if Redis at `url` answers a ping; else why not."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT_S,
                                  socket_timeout=TIMEOUT_S)
    try:
        client.ping()
    except redis.RedisError as exc:
        return str(exc) or type(exc).__name__
    finally:
        client.close()
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=POSTGRES, help="the URL to try for PostgreSQL")
    parser.add_argument("--redis", default=REDIS, help="the URL to try for Redis")
    args = parser.parse_args(argv)
    for name, url, answers, what in (
        ("KIOSK_TEST_DATABASE_URL", args.postgres, postgres_answers, "PostgreSQL"),
        ("KIOSK_TEST_REDIS_URL", args.redis, redis_answers, "Redis"),
    ):
        if os.environ.get(name):
            continue
        why_not = answers(url)
        if why_not is None:
            print(f"{name}={url}")
            print(f"{what}: the tests use {url}", file=sys.stderr)
        else:
            print(f"{what}: nothing usable at {url} ({why_not}); set {name} to test on it",
                  file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
