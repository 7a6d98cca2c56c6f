"""Errors a user can cause, with messages a receptionist can read.

The UI shows `str(error)`; the assistant turns the type into a reply. Nothing is written when
one of these is raised: services raise before flushing, and the caller's transaction rolls back.
"""

from __future__ import annotations

from datetime import date


class DomainError(Exception):
    """Base for every error caused by what someone asked for, not by a bug."""


class InvalidInput(DomainError):
    """A form field or argument that makes no sense ("capacity must be at least 1")."""


class NotFound(DomainError):
    pass


class Duplicate(DomainError):
    pass


class NotAllowed(DomainError):
    """The signed-in user's role may not do this."""


class SignInFailed(DomainError):
    pass


class InvalidPhone(InvalidInput):
    pass


class ScheduleConflict(DomainError):
    """A trainer or room is already busy at that time."""


class ClassFull(DomainError):
    def __init__(self, message: str, *, class_session_id: int, waitlist_length: int) -> None:
        super().__init__(message)
        self.class_session_id = class_session_id
        self.waitlist_length = waitlist_length


class SeatTaken(DomainError):
    pass


class AlreadyBooked(DomainError):
    pass


class BookingClosed(DomainError):
    """The session has started, ended or was cancelled."""


class NoEntitlement(DomainError):
    """No package or membership pays for this booking; `reason` says why in plain words."""

    def __init__(self, message: str, *, reason_code: str, expired_on: date | None = None) -> None:
        super().__init__(message)
        self.reason_code = reason_code
        self.expired_on = expired_on


class BookingRestricted(DomainError):
    """Too many no-shows: online booking is closed until staff lift it or the window rolls on."""

    def __init__(self, message: str, *, noshow_count: int, threshold: int) -> None:
        super().__init__(message)
        self.noshow_count = noshow_count
        self.threshold = threshold


class InvalidTransition(DomainError):
    """E.g. reverting a booking that was never completed."""


class WaitlistClosed(DomainError):
    pass


class CapacityBelowBooked(DomainError):
    pass


class OverlappingBooking(ScheduleConflict):
    """The member is already booked into a session at that time (they are in one place at once).

    `other_class_session_id` is that session; the message names it.
    """

    def __init__(self, message: str, *, other_class_session_id: int) -> None:
        super().__init__(message)
        self.other_class_session_id = other_class_session_id
