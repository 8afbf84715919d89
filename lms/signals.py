"""Signals through which the core hears about domain events without importing the domains."""

from blinker import Namespace

_signals = Namespace()

demo_loaded = _signals.signal("demo-loaded", doc="""
Sent after the core demo data set is in the session (not yet committed).

sender: None; kwargs: ``rng`` (random.Random seeded for the demo), ``today`` (date).
Domain packages connect a receiver that adds their own demo records.
""")

demo_finished = _signals.signal("demo-finished", doc="""
Sent after every demo_loaded receiver has run and the session was flushed (not yet committed).

sender: None; kwargs as demo_loaded. For demo records that span packages (receivers of demo_loaded
run in no fixed order), e.g. exams' quizzes on courses' lessons.
""")

# Domain events. The service that makes the change sends them, inside its transaction and after
# flushing, so a receiver sees the new rows and whatever it writes commits or rolls back with
# them. They are never sent from ORM events, which bulk writes skip. (The certified-on-the-job
# figures do not rely on them: certificates/compliance/tracking.py watches the session itself,
# conditional UPDATEs included, so no write path can forget to tell them.)

employment_started = _signals.signal("employment-started", doc="""
A person took up a post at an enterprise (roster import, or an admin adding them).

sender: Employment (flushed); kwargs: ``actor`` (Account or None), ``now`` (aware UTC datetime).
""")

employment_ended = _signals.signal("employment-ended", doc="""
A person left a post (end date set) or moved off the job.

sender: Employment (flushed); kwargs: ``actor``, ``now``.
""")

result_recorded = _signals.signal("result-recorded", doc="""
An assessment result was recorded for a person: a mock exam, an exam attempt, a practical score.

sender: the result row (flushed); kwargs: ``person_id`` (int or None), ``passed`` (bool),
``actor``, ``now``.
""")
