"""py-spy against the running portal under wrk load; prints the hottest portal functions."""

from __future__ import annotations

import collections
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from bench.run import RESULTS, _free_port, login, server, wrk


def main() -> None:
    url, path, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    RESULTS.mkdir(exist_ok=True)
    env = {"PORTAL_DATABASE_URL": url, "PORTAL_SCHEDULER_ENABLED": "false",
           "PORTAL_DEBUG": "false", "PORTAL_MAIL_BACKEND": "outbox"}  # fmt: skip
    port = _free_port()
    with server("spy", ["app.main:create_app", "--factory"], env, port) as pid:
        cookie, token = login(f"http://127.0.0.1:{port}")
        headers = (
            {"Authorization": f"Bearer {token}"}
            if path.startswith("/api")
            else {"Cookie": f"portal_session={cookie}"}
        )
        load = threading.Thread(
            target=wrk, args=(f"http://127.0.0.1:{port}{path}", 4, seconds + 2, headers)
        )
        load.start()
        with tempfile.NamedTemporaryFile(suffix=".txt") as out:
            subprocess.run(  # noqa: S603
                [sys.executable.replace("python", "py-spy"), "record", "-p", str(pid), "-d",
                 str(seconds), "-f", "raw", "-o", out.name, "--nonblocking"],
                check=True, capture_output=True,
            )  # fmt: skip
            lines = Path(out.name).read_text().splitlines()
        load.join()
    total = 0
    inclusive: collections.Counter[str] = collections.Counter()
    for line in lines:
        stack, _, count = line.rpartition(" ")
        n = int(count)
        frames = stack.split(";")
        if not any("app/" in f or "sqlalchemy" in f or "jinja2" in f for f in frames):
            continue  # idle threads and the event loop
        total += n
        for frame in set(frames):
            if "/app/" in frame or "(app/" in frame or "templates/" in frame:
                inclusive[frame] += n
    print(f"{total} busy samples")
    for frame, n in inclusive.most_common(40):
        print(f"{100 * n / total:5.1f}%  {frame}")


if __name__ == "__main__":
    main()
