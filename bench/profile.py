"""Profile one page in-process with pyinstrument (a bench extra, not a project dependency).

python -m bench.profile --url sqlite:///var/bench.db /initiatives [--bearer] [-n 20]

The portal is driven through httpx's ASGI transport on an event loop in this thread, and the
work FastAPI would hand to worker threads runs inline, so that one profiler sees all of it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections.abc import Callable
from typing import Any


async def _inline(func: Callable[..., Any], *args: Any, **_options: Any) -> Any:
    return func(*args)


async def _profile(path: str, bearer: bool, n: int) -> None:
    import anyio.to_thread
    import httpx
    from pyinstrument import Profiler

    from app.main import create_app
    from bench.run import PASSWORD

    anyio.to_thread.run_sync = _inline  # type: ignore[assignment]
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        headers = {}
        if bearer:
            answer = await client.post(
                "/api/v1/auth/token",
                data={"username": "bench-chair@bench.invalid", "password": PASSWORD},
            )
            headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        else:
            await client.get("/login")
            await client.post(
                "/login",
                data={"email": "bench-chair@bench.invalid", "password": PASSWORD,
                      "csrf_token": client.cookies.get("portal_csrf")},
            )  # fmt: skip
        (await client.get(path, headers=headers)).raise_for_status()  # warm up
        profiler = Profiler()
        began = time.perf_counter()
        with profiler:
            for _ in range(n):
                await client.get(path, headers=headers)
        print(f"{(time.perf_counter() - began) / n * 1000:.1f} ms per request")
        print(profiler.output_text(unicode=False, color=False, show_all=False))


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
    asyncio.run(_profile(args.path, args.bearer, args.n))


if __name__ == "__main__":
    main()
