"""Two app servers configured with one secret accept each other's study tickets; others do not."""

import pytest

from courses.tickets import TicketRefused, issue_ticket, read_ticket


def test_a_ticket_from_one_server_is_read_by_another_with_the_same_secret(app, other_app):
    second, stranger = other_app(), other_app(SECRET_KEY="another-secret")
    with app.app_context():
        issued = issue_ticket(7, 11)
    with second.app_context():
        claim = read_ticket(issued)
    assert (claim.person_id, claim.enrollment_id) == (7, 11)
    with stranger.app_context(), pytest.raises(TicketRefused):
        read_ticket(issued)
