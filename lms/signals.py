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
