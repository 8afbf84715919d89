"""The exam-day lists run the same statements for few or many candidates (no query per row)."""

from centres_world import NOW, add_person
from test_query_counts import measure, report

from exams.centres.freeze import close_registration
from exams.centres.models import ExamSession
from exams.centres.registration import register
from lms.extensions import db
from lms.models import Account, Employment, Person


def _register(day, people):
    for person in people:
        register(day.session, person, day.employment(person), day.accounts["centre_admin"], NOW,
                 health_commitment=True)
    db.session.commit()


def test_registration_list_runs_the_same_statements_for_3_or_20_candidates(client, login, day, day_clock):
    more = [add_person(f"加考{i}", day.other_enterprise if i % 2 else day.enterprise, seq=600 + i)
            for i in range(17)]
    db.session.commit()
    _register(day, day.employees[:3])
    session_id, admin_id = day.session.id, day.accounts["centre_admin"].id
    later = [(p.id, day.employment(p).id) for p in more]
    login("centre_admin")
    url = f"/centre/sessions/{session_id}/registrations"
    few, _ = measure(lambda: client.get(url))
    # measure() starts from an empty database session: read the objects again.
    session, admin = db.session.get(ExamSession, session_id), db.session.get(Account, admin_id)
    for person_id, employment_id in later:
        register(session, db.session.get(Person, person_id), db.session.get(Employment, employment_id),
                 admin, NOW, health_commitment=True)
    db.session.commit()
    many, statements = measure(lambda: client.get(url))
    assert client.get(url).get_data(as_text=True).count('href="/centre/registrations/') == 20
    report("registration list", few=few, many=many)
    assert many == few, "\n".join(statements)


def test_check_in_roster_runs_the_same_statements_for_3_or_20_candidates(client, login, day, day_clock):
    people = day.employees[:3]
    _register(day, people)
    more = [add_person(f"加考{i}", day.enterprise, seq=700 + i) for i in range(17)]
    db.session.commit()
    _register(day, more)
    close_registration(day.session, day.accounts["centre_admin"], NOW)
    db.session.commit()
    login("invigilator")
    url = f"/centre/sessions/{day.session.id}/checkin?room={day.room.id}"
    many, statements = measure(lambda: client.get(url))
    report("check-in roster", many=many)
    assert client.get(url).get_data(as_text=True).count("<td") >= 20 * 3
    # A statement per candidate would put this well above the 20 rows shown.
    assert many < 20, "\n".join(statements)
