"""Group commit of a seat's autosaves (lms.group_commit): saves that queue while one batch is being
written share the next transaction, each written by one prebuilt conditional INSERT ... ON CONFLICT.

The statement is exams.attempts.services.save_answer's, with one more condition: the seat sign-in
named by the save ticket must still be live (not ended, its registration still active), which is
what the Flask view checks through the seat token before it saves. A save the statement does not
write (paused, over, kept, signed out, not on the paper) is reported as not saved; the gateway then
lets the Flask view answer it with its usual refusal and audit record.
"""

import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Boolean, Integer, bindparam, select

from exams.attempts.models import AttemptStatus, ExamAnswer, ExamAttempt
from exams.attempts.services import answer_upsert
from exams.centres.models import Registration, RegistrationStatus, SeatSignIn
from exams.models import PaperItem
from lms.extensions import db
from lms.group_commit import GroupCommitter
from lms.models.base import UTCDateTime

#: The outcome of a save the statement wrote.
SAVED = "saved"


@dataclass(frozen=True)
class SaveJob:
    """One save as the gateway read it: the ticket's ids and the checked body."""

    attempt_id: int
    sign_in_id: int
    item_id: int
    choice: list[int]
    flagged: bool
    seq: int
    now: datetime


def _statement(dialect: str):
    """The conditional upsert with bound parameters, built once per dialect."""
    table = ExamAnswer.__table__
    now = bindparam("now", type_=UTCDateTime())
    source = (select(ExamAttempt.id, PaperItem.id, bindparam("choice", type_=table.c.choice.type),
                     bindparam("flagged", type_=Boolean()), bindparam("seq", type_=Integer()), now)
              .join(PaperItem, PaperItem.paper_id == ExamAttempt.paper_id)
              .join(SeatSignIn, SeatSignIn.registration_id == ExamAttempt.registration_id)
              .join(Registration, Registration.id == ExamAttempt.registration_id)
              .where(ExamAttempt.id == bindparam("attempt"), PaperItem.id == bindparam("item"),
                     ExamAttempt.status == AttemptStatus.IN_PROGRESS,
                     ExamAttempt.deadline_at > now,
                     SeatSignIn.id == bindparam("sign_in"), SeatSignIn.ended_at.is_(None),
                     Registration.status == RegistrationStatus.ACTIVE))
    return answer_upsert(dialect, source)


class SaveCommitter(GroupCommitter):
    """Writes the gateway's saves in batches; each result is SAVED or None (not written)."""

    name = "saves"
    noun = "answer saves"

    def __init__(self, app, max_batch: int, wait_seconds: float, writers: int = 1):
        super().__init__(app, max_batch, wait_seconds, writers)
        self._statements: dict[str, object] = {}
        self._local = threading.local()

    def write(self, jobs: list[SaveJob]) -> list[str | None]:
        """All the batch's saves in one transaction; each save's statement says whether it wrote."""
        conn = self._connection()
        statement = self._statements.get(conn.dialect.name)
        if statement is None:
            statement = self._statements[conn.dialect.name] = _statement(conn.dialect.name)
        try:
            with conn.begin():
                return [SAVED if conn.execute(statement, {
                    "attempt": job.attempt_id, "item": job.item_id, "sign_in": job.sign_in_id,
                    "choice": job.choice, "flagged": job.flagged, "seq": job.seq, "now": job.now,
                }).rowcount == 1 else None for job in jobs]
        except Exception:
            # A broken connection is not used again; the next batch opens a fresh one.
            self._local.conn = None
            conn.close()
            raise

    def _connection(self):
        """This writer thread's own connection, kept between batches.

        Taking one from the pool for every batch would cost a round trip (the pool's liveness ping)
        on a server database, when a batch is often a single save.
        """
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed or conn.invalidated:
            conn = self._local.conn = db.engine.connect()
        return conn
