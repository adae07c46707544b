"""Profile one page in-process with pyinstrument (a bench extra, not a project dependency).

python -m bench.profile --url sqlite:///var/bench.db /initiatives [--bearer] [-n 20]
"""

from __future__ import annotations

import argparse
import os
import time


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path")
    parser.add_argument("--url", default="sqlite:///var/bench.db")
    parser.add_argument("--bearer", action="store_true", help="an API path: use a bearer token")
    parser.add_argument("-n", type=int, default=20, help="requests to profile")
    args = parser.parse_args(argv)
    os.environ.update(
        PORTAL_DATABASE_URL=args.url, PORTAL_SCHEDULER_ENABLED="false", PORTAL_DEBUG="false"
    )
    from fastapi.testclient import TestClient
    from pyinstrument import Profiler

    from app.main import create_app
    from bench.run import PASSWORD

    with TestClient(create_app()) as client:
        headers = {}
        if args.bearer:
            token = client.post(
                "/api/v1/auth/token",
                data={"username": "bench-chair@bench.invalid", "password": PASSWORD},
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
        else:
            client.get("/login")
            client.post(
                "/login",
                data={"email": "bench-chair@bench.invalid", "password": PASSWORD,
                      "csrf_token": client.cookies.get("portal_csrf")},
            )  # fmt: skip
        client.get(args.path, headers=headers).raise_for_status()  # warm up
        profiler = Profiler()
        began = time.perf_counter()
        with profiler:
            for _ in range(args.n):
                client.get(args.path, headers=headers)
        print(f"{(time.perf_counter() - began) / args.n * 1000:.1f} ms per request")
        print(profiler.output_text(unicode=False, color=False, show_all=False))


if __name__ == "__main__":
    main()
