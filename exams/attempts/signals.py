"""Signals of the exam attempt, for other packages (certificates) to listen to without importing it."""

from blinker import Namespace

_signals = Namespace()

exam_passed = _signals.signal("exam-passed", doc="""
A candidate passed an exam that needs nothing more: every part it has is graded and at or above the
pass mark.

Sent inside the transaction that writes the result, after flushing, so a receiver sees the graded
rows and whatever it writes commits or rolls back with them. Two senders:

- Principal-person and safety-manager exams (theory only): at the end of grading
  (exams.attempts.results.announce_pass), once per passing attempt, because grading runs once per
  submission. sender: the ExamAttempt; ``exam_kind`` is the theory session's kind;
  ``practical_points`` is None.
- Special operations (theory and practical): never for the theory pass alone; at the sign-off of a
  passing practical score sheet (exams.practical.services.announce_practical_pass), once per sheet,
  because the sign-off is one conditional UPDATE. Sent only while the candidate holds a theory pass
  of the same operation still valid on the practical's exam day (the practical's eligibility
  prerequisite). sender: the PracticalScore; ``exam_kind`` is "practical"; ``theory_points`` come
  from that latest valid theory pass, ``practical_points`` from the sheet.

kwargs: ``person_id``, ``employment_id``, ``exam_kind`` (SessionKind value of the session that
completed the pass), ``operation_subtype`` (None outside special operations), ``theory_points``
(0-100 scale, as Registration.score), ``practical_points`` (0-100, None when the exam has no
practical part), ``passed_on`` (local date of the result that completed the pass).
""")
