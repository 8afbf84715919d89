"""Signals through which other packages (exams, certificates) add to what courses shows and
computes; courses never imports them. Receivers return a value that the sender collects."""

from blinker import Namespace

_signals = Namespace()

lesson_panel_wanted = _signals.signal("lesson-panel-wanted", doc="""
A lesson page is being drawn: a receiver returns Markup to show under the lesson, or None.

sender: Lesson; kwargs: ``viewer`` (the signed-in Account), ``fresh`` (True when the viewer asked
for a new round of whatever the panel offers).
""")

archive_rows_wanted = _signals.signal("archive-rows-wanted", doc="""
A person's training archive is being written: a receiver returns result rows (dicts with keys date,
kind, title, result) to list, e.g. quiz rounds and exams.

sender: Person.
""")

review_dates_wanted = _signals.signal("review-dates-wanted", doc="""
The requirement calculator needs the certificate review dates of a group of people, once per group
(so a page over thousands of people asks once per group, not once per person): a receiver that
knows them (certificates) returns a dict {(person id, operation sub-type): [review dates]} for the
people and operations whose certificates it holds (an empty list: known, no review due). A pair
left out is "not known here", and the calculator estimates its dates from the rules.

sender: the list of person ids.
""")


def collect(signal, sender, **kwargs) -> list:
    """The non-empty values the receivers of ``signal`` returned, in connection order."""
    return [value for _receiver, value in signal.send(sender, **kwargs) if value]
