"""Group commit: one writer thread per process, one transaction per batch of requests' writes.

A durable database makes every commit wait for the disk, and SQLite lets one writer commit at a
time. Writes that arrive while a batch is being written queue up and are written together in the
next transaction, so a busy server commits far fewer times than it receives requests. Every
sender waits until the transaction holding its write has committed: the reply never runs ahead of
the disk. Subclasses say what one batch writes (:meth:`GroupCommitter.write`).
"""

import contextlib
import fcntl
import logging
import os
import queue
import threading
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from flask import Flask

from lms.extensions import db

log = logging.getLogger(__name__)


@dataclass
class _Pending:
    job: Any
    result: Any = None
    done: threading.Event = field(default_factory=threading.Event)


class GroupCommitter:
    """Writes submitted jobs in batches from a thread of its own, started in each process.

    ``name`` names the writer thread, its SQLite lock file (``<database>-<name>.lock``) and the
    jobs in the log (``noun``).
    """

    name = "writes"
    noun = "writes"

    def __init__(self, app: Flask, max_batch: int, wait_seconds: float, writers: int = 1):
        self.app = app
        self.max_batch = max_batch
        self.wait_seconds = wait_seconds
        #: Writer threads per process. SQLite commits one writer at a time, so one is best there. A
        #: server database commits many transactions at once and merges their flushes itself: with
        #: 0, each sender writes its own job in its own transaction, without a thread hand-off.
        self.writers = writers
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._queue: queue.SimpleQueue = queue.SimpleQueue()

    def write(self, jobs: list) -> list:
        """Write the jobs in one transaction (the app context is set) and return one result each."""
        raise NotImplementedError

    def submit(self, job) -> Any:
        """Write one job; its result once committed, or None if it could not be written in time."""
        if not self.writers:
            try:
                with self.app.app_context():
                    return self.write([job])[0]
            except Exception:
                log.exception("writing 1 %s failed", self.noun)
                return None
        pending = _Pending(job)
        self._process_queue().put(pending)
        if not pending.done.wait(self.wait_seconds):
            log.error("%s not written within %s s", self.noun, self.wait_seconds)
            return None
        return pending.result

    def _process_queue(self) -> queue.SimpleQueue:
        # Threads do not survive fork(): a worker forked from a loaded app starts its own writer.
        if self._pid != os.getpid():
            with self._lock:
                if self._pid != os.getpid():
                    self._queue = queue.SimpleQueue()
                    for number in range(self.writers):
                        threading.Thread(target=self._write_forever, args=(self._queue,),
                                         name=f"{self.name}-committer-{number}", daemon=True).start()
                    self._pid = os.getpid()
        return self._queue

    def _write_forever(self, pending: queue.SimpleQueue) -> None:
        with self.app.app_context():
            lock_file = writer_lock_file(self.name)
        with lock_file or contextlib.nullcontext():
            while True:
                batch = [pending.get()]
                try:
                    with exclusive(lock_file):
                        # Jobs that arrived while another process held the lock join this batch.
                        self._drain_into(batch, pending)
                        with self.app.app_context():
                            results = self.write([p.job for p in batch])
                except Exception:
                    # Nothing of the batch was committed; each sender is told so and may retry.
                    log.exception("writing %d %s failed", len(batch), self.noun)
                    results = [None] * len(batch)
                for item, result in zip(batch, results, strict=True):
                    item.result = result
                    item.done.set()

    def _drain_into(self, batch: list[_Pending], pending: queue.SimpleQueue) -> None:
        while len(batch) < self.max_batch:
            try:
                batch.append(pending.get_nowait())
            except queue.Empty:
                return


def writer_lock_file(name: str) -> BinaryIO | None:
    """An open lock file beside a SQLite database file; None for other databases.

    The writers of all worker processes take turns on it. Without it they would meet on SQLite's
    own lock, whose waiting side polls with sleeps of several milliseconds.
    """
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return open(f"{url.database}-{name}.lock", "ab")  # noqa: SIM115  (held for the thread's life)


@contextlib.contextmanager
def exclusive(lock_file: BinaryIO | None):
    """Hold the lock file (if any) exclusively for the block."""
    if lock_file is None:
        yield
        return
    fcntl.flock(lock_file, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(lock_file, fcntl.LOCK_UN)
