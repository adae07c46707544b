"""At most PORTAL_MAX_CONCURRENT_REQUESTS requests are inside the application at once; the rest
wait without holding a thread or a database connection, and a slot frees as soon as the answer
is out."""

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
import pytest

from app.config import get_settings
from app.main import create_app
from app.middleware import ConcurrencyLimit


def run(scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run an async scenario on an event loop of its own, in a thread of its own (other tests,
    the browser's among them, may leave a loop in this thread)."""
    failures: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(scenario())
        except BaseException as exc:  # noqa: BLE001 - handed to the test's thread
            failures.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "the scenario did not finish"
    if failures:
        raise failures[0]


class Probe:
    """An ASGI app that records how many requests are inside it at once and lets the test
    decide when each may answer."""

    def __init__(self) -> None:
        self.inside = 0
        self.most = 0
        self.entered = asyncio.Event()
        self.go = asyncio.Event()
        self.after_answer = asyncio.Event()
        self.finish_after_answer = asyncio.Event()

    async def __call__(self, scope, receive, send) -> None:
        self.inside += 1
        self.most = max(self.most, self.inside)
        self.entered.set()
        try:
            if scope["path"] == "/fail":
                raise RuntimeError("the handler failed")
            if scope["path"] != "/fast":
                await self.go.wait()
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})
            if scope["path"] == "/lingers":  # work after the answer, like mail sending
                self.after_answer.set()
                await self.finish_after_answer.wait()
        finally:
            self.inside -= 1


def client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://portal")


def test_no_more_than_the_limit_are_inside_at_once():
    run(_no_more_than_the_limit_are_inside_at_once)


async def _no_more_than_the_limit_are_inside_at_once() -> None:
    probe = Probe()
    async with client(ConcurrencyLimit(probe, limit=2)) as http:
        requests = [asyncio.create_task(http.get("/slow")) for _ in range(7)]
        while probe.inside < 2:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)  # the other five had every chance to enter
        assert probe.inside == 2
        probe.go.set()
        answers = await asyncio.gather(*requests)
    assert [a.status_code for a in answers] == [200] * 7
    assert probe.most == 2


def test_a_slot_frees_when_the_answer_is_out_not_when_the_work_after_it_ends():
    run(_a_slot_frees_when_the_answer_is_out_not_when_the_work_after_it_ends)


async def _a_slot_frees_when_the_answer_is_out_not_when_the_work_after_it_ends() -> None:
    probe = Probe()
    probe.go.set()
    async with client(ConcurrencyLimit(probe, limit=1)) as http:
        lingering = asyncio.create_task(http.get("/lingers"))
        await probe.after_answer.wait()
        # The first request is still running its after-answer work, yet the next gets in.
        answer = await asyncio.wait_for(http.get("/fast"), timeout=5)
        assert answer.status_code == 200 and probe.most == 2
        probe.finish_after_answer.set()
        assert (await lingering).status_code == 200


def test_a_failed_request_gives_its_slot_back():
    run(_a_failed_request_gives_its_slot_back)


async def _a_failed_request_gives_its_slot_back() -> None:
    probe = Probe()
    probe.go.set()
    async with client(ConcurrencyLimit(probe, limit=1)) as http:
        for _ in range(3):
            with pytest.raises(RuntimeError):
                await http.get("/fail")
        answer = await asyncio.wait_for(http.get("/fast"), timeout=5)
    assert answer.status_code == 200


def test_the_portal_is_wrapped_and_the_limit_is_a_setting():
    assert get_settings().max_concurrent_requests == 4
    app = create_app()
    assert any(m.cls is ConcurrencyLimit for m in app.user_middleware)
    # Outermost: a waiting request has not chosen a language, a CSRF token or a connection.
    assert app.user_middleware[0].cls is ConcurrencyLimit
