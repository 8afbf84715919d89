"""Configuration defaults of the courses package; tests and deployments override them."""

from flask import Flask

DEFAULTS = {
    #: Seconds between heartbeats sent by a visible lesson page while the learner is active.
    "COURSES_HEARTBEAT_SECONDS": 30,
    #: Seconds without keyboard, mouse, touch or scroll input after which the page stops the clock.
    "COURSES_IDLE_SECONDS": 300,
    #: Longest gap between two heartbeats that still counts as continuous study; a longer gap
    #: closes the record and the time in between is not credited.
    "COURSES_MAX_GAP_SECONDS": 75,
    #: How far a client's own timestamp may run ahead of the server before the beat is refused.
    "COURSES_CLOCK_SKEW_SECONDS": 120,
    #: Answer heartbeats that carry a study ticket in a lean WSGI layer ahead of Flask
    #: (courses.beat_gateway); off, the Flask view answers them with the same ledger code.
    "COURSES_BEAT_GATEWAY": True,
    #: Most beats written in one transaction by the gateway's group commit.
    "COURSES_BEAT_BATCH": 64,
    #: Longest a beat waits for its transaction before the sender is told to try again (503).
    "COURSES_BEAT_WAIT_SECONDS": 30,
    #: Largest lesson file accepted (bytes); videos make this larger than the roster limit.
    "COURSES_UPLOAD_MAX_BYTES": 200 * 1024 * 1024,
    #: First year this deployment has training records for (e.g. 2026). Statutory requirements of
    #: earlier years are shown as "before the records in this system" instead of overdue, unless
    #: training done elsewhere was entered for them. None: from each employment's start.
    "COURSES_FIRST_RECORD_YEAR": None,
}


def apply_defaults(app: Flask) -> None:
    """Fill in every setting the deployment did not choose."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
