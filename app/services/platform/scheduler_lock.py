"""One active scheduler: a PostgreSQL advisory lock held on a connection kept open.

The lock is session-level (pg_try_advisory_lock), so it lasts as long as the connection: when
the process holding it dies, its connection closes, PostgreSQL releases the lock and a waiting
scheduler takes it on its next try. SQLite has no such lock and needs none: a SQLite database is
used by one process on one machine, so there is only one scheduler (never run `portal worker`
beside a web process with the scheduler enabled on SQLite).
"""

import logging
import threading
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

# A fixed 64-bit key that no other part of the portal uses ("ASUKSCHD" in ASCII).
LOCK_KEY = 0x4153554B53434844


class AdvisoryLock:
    """The scheduler's advisory lock on its own connection (always held on SQLite)."""

    def __init__(self, engine: Engine, key: int = LOCK_KEY) -> None:
        self.engine = engine
        self.key = key
        self.connection: Connection | None = None

    @property
    def needed(self) -> bool:
        """Whether the database can be shared by several processes (PostgreSQL)."""
        return self.engine.dialect.name == "postgresql"

    @property
    def held(self) -> bool:
        """Whether this process holds the lock (as far as it knows)."""
        return not self.needed or self.connection is not None

    def acquire(self) -> bool:
        """Take the lock if nobody holds it; True when held."""
        if self.held:
            return True
        connection = self.engine.connect()
        try:
            got = bool(
                connection.execute(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
                ).scalar()
            )
            connection.commit()  # the lock outlives the transaction; do not sit idle in one
        except DBAPIError:
            connection.invalidate()
            connection.close()
            raise
        if not got:
            connection.close()
            return False
        self.connection = connection
        return True

    def alive(self) -> bool:
        """Whether the lock's connection still answers (if it broke, the lock is gone)."""
        if not self.needed:
            return True
        if self.connection is None:
            return False
        try:
            self.connection.execute(text("SELECT 1"))
            self.connection.commit()
        except DBAPIError:
            self._drop()
            return False
        return True

    def release(self) -> None:
        """Give the lock up and close its connection."""
        if self.connection is None:
            return
        try:
            self.connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            self.connection.commit()
        except DBAPIError:
            log.warning("could not release the scheduler lock; closing its connection")
        self._drop()

    def _drop(self) -> None:
        # Invalidate rather than return the connection to the pool: a pooled connection would
        # keep holding the lock for whoever borrows it next.
        if self.connection is not None:
            self.connection.invalidate()
            self.connection.close()
            self.connection = None


class Leader:
    """Runs `start` once the lock is held, retrying in the background; `stop` if it is lost."""

    def __init__(
        self,
        lock: AdvisoryLock,
        start: Callable[[], None],
        stop: Callable[[], None],
        retry_seconds: float,
    ) -> None:
        self.lock = lock
        self._start = start
        self._stop = stop
        self.retry_seconds = retry_seconds
        self.active = False
        self._closing = threading.Event()
        self._thread: threading.Thread | None = None
        self._mutex = threading.Lock()

    def begin(self) -> bool:
        """Become active now if the lock is free, else wait for it in the background."""
        became = self.step()
        if self.lock.needed:
            self._thread = threading.Thread(target=self._watch, name="scheduler-lock", daemon=True)
            self._thread.start()
        return became

    def step(self) -> bool:
        """One try: take the lock and start, or check that the lock held is still there."""
        with self._mutex:
            if self._closing.is_set():
                return False
            if self.active:
                if not self.lock.alive():
                    log.error("the scheduler lock's connection broke: scheduler stopped")
                    self.active = False
                    self._stop()
                return False
            try:
                got = self.lock.acquire()
            except DBAPIError as exc:
                log.warning("scheduler lock not reachable: %s", exc)
                return False
            if not got:
                log.info("another scheduler is active; waiting for its lock")
                return False
            try:
                self._start()
            except Exception:
                self.lock.release()
                raise
            self.active = True
            log.info("scheduler lock taken: this process runs the jobs")
            return True

    def _watch(self) -> None:
        while not self._closing.wait(self.retry_seconds):
            try:
                self.step()
            except Exception:  # noqa: BLE001 - keep watching; a bad try must not end the thread
                log.exception("scheduler lock check failed")

    def close(self) -> None:
        """Stop the jobs (if running) and give the lock back."""
        self._closing.set()
        if self._thread is not None:
            self._thread.join(timeout=max(self.retry_seconds, 1.0) + 5)
        with self._mutex:
            if self.active:
                self._stop()
                self.active = False
            self.lock.release()
