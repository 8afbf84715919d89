"""Permission names of the exams package and which roles hold them."""

from lms.roles import Role, register_permissions

#: Work on question banks: trainers on practice banks, editors on both (scope decides which).
BANK_EDIT = "exams.bank.edit"
#: Read and edit exam-bank questions (教考分离: never a trainer).
EXAM_BANK = "exams.bank.exam"
#: Blueprints, item statistics.
BLUEPRINT = "exams.blueprint.manage"
#: Assemble and view frozen exam papers.
ASSEMBLE = "exams.papers.assemble"
#: Practise on the practice bank, take mock exams, keep a wrong-answer book.
PRACTICE = "exams.practice"
#: Attach practice-bank quizzes to lessons of courses in the holder's organization.
LESSON_QUIZ = "exams.lesson_quiz"


def register() -> None:
    """Grant the permissions to the roles."""
    register_permissions(Role.QUESTION_EDITOR, BANK_EDIT, EXAM_BANK, BLUEPRINT, ASSEMBLE, LESSON_QUIZ)
    register_permissions(Role.TRAINER, BANK_EDIT, LESSON_QUIZ)
    register_permissions(Role.EXAM_CENTRE_ADMIN, ASSEMBLE)
    register_permissions(Role.LEARNER, PRACTICE)
    register_centre_permissions()

#: Rooms, seats, sessions, centre staff and the blueprints a centre may schedule (composition only).
CENTRE_MANAGE = "exams.centre.manage"
#: Register candidates for sessions: enterprise admins their own employees, centre admins anyone.
REGISTER = "exams.registration.register"
#: Check candidates in, note incidents, sign the exam-room record.
CHECK_IN = "exams.checkin"


def register_centre_permissions() -> None:
    """Grant the exam-day permissions to the roles."""
    register_permissions(Role.EXAM_CENTRE_ADMIN, CENTRE_MANAGE, REGISTER, CHECK_IN)
    register_permissions(Role.ENTERPRISE_ADMIN, REGISTER)
    register_permissions(Role.INVIGILATOR, CHECK_IN)
