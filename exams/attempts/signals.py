"""Signals of the exam attempt, for other packages (certificates) to listen to without importing it."""

from blinker import Namespace

_signals = Namespace()

exam_passed = _signals.signal("exam-passed", doc="""
A candidate passed an exam that needs nothing more: every part it has is graded and at or above the
pass mark.

Sent inside the grading transaction after flushing (exams.attempts.results.announce_pass), so a
receiver sees the graded rows and whatever it writes commits or rolls back with them; sent once per
passing attempt, because grading runs once per submission.

Today that is the principal-person and safety-manager exams (theory only). Special-operations
theory passes are not announced yet: the certificate needs the practical part too, and the signal
for them waits until the practical scores exist (sent then with both results).

sender: the ExamAttempt; kwargs: ``person_id``, ``employment_id``, ``exam_kind`` (SessionKind value),
``operation_subtype`` (None outside special operations), ``theory_points`` (0-100 scale, as
Registration.score), ``practical_points`` (None when the exam has no practical part), ``passed_on``
(local date of the result).
""")
