"""Group commit for study heartbeats: one writer thread per process, one transaction per batch.

A durable database makes every commit wait for the disk, and SQLite lets one writer commit at a
time. Beats that arrive while a batch is being written queue up and are written together in the
next transaction, so a busy server commits far fewer times than it receives beats. Every beat's
sender waits until the transaction holding its beat has committed: the reply never runs ahead of
the disk.
"""

import contextlib
import fcntl
import logging
import os
import queue
import threading
from dataclasses import dataclass, field
from typing import BinaryIO

from flask import Flask

from courses.ledger import Beat, BeatResult, current_policy, record_beats
from lms.extensions import db

log = logging.getLogger(__name__)


@dataclass
class _Pending:
    beat: Beat
    result: BeatResult | None = None
    done: threading.Event = field(default_factory=threading.Event)


class BeatCommitter:
    """Writes submitted beats in batches from a thread of its own, started in each process."""

    def __init__(self, app: Flask, max_batch: int, wait_seconds: float):
        self.app = app
        self.max_batch = max_batch
        self.wait_seconds = wait_seconds
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._queue: queue.SimpleQueue = queue.SimpleQueue()

    def submit(self, beat: Beat) -> BeatResult | None:
        """Write one beat; its result once committed, or None if it could not be written."""
        pending = _Pending(beat)
        self._process_queue().put(pending)
        if not pending.done.wait(self.wait_seconds):
            log.error("heartbeat not written within %s s", self.wait_seconds)
            return None
        return pending.result

    def _process_queue(self) -> queue.SimpleQueue:
        # Threads do not survive fork(): a worker forked from a loaded app starts its own writer.
        if self._pid != os.getpid():
            with self._lock:
                if self._pid != os.getpid():
                    self._queue = queue.SimpleQueue()
                    threading.Thread(target=self._write_forever, args=(self._queue,),
                                     name="beat-committer", daemon=True).start()
                    self._pid = os.getpid()
        return self._queue

    def _write_forever(self, pending: queue.SimpleQueue) -> None:
        with self.app.app_context():
            lock_file = _writer_lock_file()
        with lock_file or contextlib.nullcontext():
            while True:
                batch = [pending.get()]
                try:
                    with _exclusive(lock_file):
                        # Beats that arrived while another process held the lock join this batch.
                        self._drain_into(batch, pending)
                        results = self._write(batch)
                except Exception:
                    # Nothing of the batch was committed; each page retries on its next beat.
                    log.exception("writing %d heartbeats failed", len(batch))
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

    def _write(self, batch: list[_Pending]) -> list[BeatResult]:
        with self.app.app_context():
            return record_beats([(p.beat, None) for p in batch], current_policy())


def _writer_lock_file() -> BinaryIO | None:
    """An open lock file beside a SQLite database file; None for other databases.

    The writers of all worker processes take turns on it. Without it they would meet on SQLite's
    own lock, whose waiting side polls with sleeps of several milliseconds.
    """
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return open(f"{url.database}-beats.lock", "ab")  # noqa: SIM115  (held for the thread's life)


@contextlib.contextmanager
def _exclusive(lock_file: BinaryIO | None):
    if lock_file is None:
        yield
        return
    fcntl.flock(lock_file, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(lock_file, fcntl.LOCK_UN)

