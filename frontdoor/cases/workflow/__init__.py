"""The one door into the case domain.

Every channel (portal, staff pages, Open311, e-mail, SMS, import, admin actions, jobs)
changes service requests only through these functions. Each one, in a single
transaction: locks the request row, checks the move against ``TRANSITIONS``, applies it,
bumps ``version``, appends the events, and queues the notifications those events cause.
A forbidden move raises a ``DomainError`` and writes nothing.
"""

from frontdoor.cases.workflow.actions import (
    add_attachment,
    add_note,
    assign,
    close,
    forward,
    hold,
    message_requester,
    receive_message,
    record_survey,
    record_system_event,
    reopen,
    reply,
    request_info,
    resume,
    set_priority,
    start,
)
from frontdoor.cases.workflow.base import MAX_PHOTOS, TRANSITIONS, Actor, Contact
from frontdoor.cases.workflow.merging import follow, mark_duplicate
from frontdoor.cases.workflow.submission import calendar_for, submit

__all__ = [
    "MAX_PHOTOS",
    "TRANSITIONS",
    "Actor",
    "Contact",
    "add_attachment",
    "add_note",
    "assign",
    "calendar_for",
    "close",
    "follow",
    "forward",
    "hold",
    "mark_duplicate",
    "message_requester",
    "receive_message",
    "record_survey",
    "record_system_event",
    "reopen",
    "reply",
    "request_info",
    "resume",
    "set_priority",
    "start",
    "submit",
]
