"""Group commit for study heartbeats (lms.group_commit): the beats that queue while one batch is
being written share the next transaction, and every sender waits for the commit of its beat.
"""

from courses.ledger import Beat, BeatResult, current_policy, record_beats
from lms.group_commit import GroupCommitter


class BeatCommitter(GroupCommitter):
    """Writes submitted beats in batches from a thread of its own, started in each process."""

    name = "beats"
    noun = "heartbeats"

    def write(self, jobs: list[Beat]) -> list[BeatResult]:
        """The ledger's code for a batch of beats, audited as the Flask view audits them."""
        return record_beats([(beat, None) for beat in jobs], current_policy())
