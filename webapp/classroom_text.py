"""Words for the classroom pages: form errors, statuses, times and durations.

The service layer returns codes; this module turns them into translated text in the
request's locale, and formats UTC times in the teacher's time zone with Babel.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton, format_time, get_datetime_format
from flask_babel import gettext, lazy_gettext, ngettext

from webapp.i18n import current_locale

# Each entry: (message, what it may be formatted with).
_MESSAGES: dict[str, Any] = {
    "email_empty": lazy_gettext("Enter your email address"),
    "email_format": lazy_gettext(
        "Enter an email address in the correct format, like name@example.com"
    ),
    "email_taken": lazy_gettext("There is already an account with this email address"),
    "password_empty": lazy_gettext("Enter a password"),
    "password_short": lazy_gettext("Your password must be 8 characters or more"),
    "password_long": lazy_gettext("Your password must be 256 characters or fewer"),
    "password_mismatch": lazy_gettext("The passwords do not match – enter it again"),
    "bad_credentials": lazy_gettext(
        "The email address or password is wrong – check them and try again"
    ),
    "timezone": lazy_gettext("Select your time zone from the list"),
    "setup_invalid": lazy_gettext(
        "This set-up link has been used or has expired – ask for a new one"
    ),
    "class_name_empty": lazy_gettext("Enter a name for the class"),
    "class_name_long": lazy_gettext("The class name must be 100 characters or fewer"),
    "retention_number": lazy_gettext(
        "Enter the number of days as a whole number, like 365, or leave it empty"
    ),
    "retention_range": lazy_gettext("The number of days must be between 1 and 3650"),
    "code_empty": lazy_gettext("Enter the class code your teacher gave you"),
    "code_unknown": lazy_gettext(
        "There is no class with this code – check the code with your teacher"
    ),
    "name_empty": lazy_gettext("Enter your name as your teacher asked you to"),
    "name_long": lazy_gettext("The name must be 40 characters or fewer"),
    "name_characters": lazy_gettext(
        "The name can only have letters, numbers and spaces"
    ),
    "extra_number": lazy_gettext(
        "Enter extra time as a whole number of minutes, like 15, or leave it empty"
    ),
    "extra_range": lazy_gettext("Extra time must be 600 minutes or less"),
    "quiz": lazy_gettext("Select a quiz"),
    "mode": lazy_gettext("Select practice or test"),
    "opens_date": lazy_gettext("The opening date must be a real date"),
    "opens_time": lazy_gettext("The opening time must be a real time, like 09:00"),
    "closes_date": lazy_gettext("The closing date must be a real date"),
    "closes_time": lazy_gettext("The closing time must be a real time, like 15:30"),
    "closes_before_opens": lazy_gettext(
        "The closing time must be after the opening time"
    ),
    "time_limit": lazy_gettext(
        "The time limit must be a whole number of minutes from 1 to %(high)s"
    ),
    "max_attempts": lazy_gettext(
        "The number of attempts must be a whole number from 1 to %(high)s"
    ),
    "grading": lazy_gettext("Select how the attempts are graded"),
}


def message(code: str, **params: Any) -> str:
    """Return the translated message for an error code."""
    entry = _MESSAGES.get(code)
    if entry is None:
        return str(gettext("Something in the form could not be read – check it"))
    text = str(entry)
    return text % params if params else text


def wait_message(wait: timedelta) -> str:
    """Return the sign-in backoff message for a wait."""
    seconds = max(1, int(wait.total_seconds() + 0.999))
    if seconds < 90:
        return str(
            ngettext(
                "Too many wrong passwords for this account. "
                "Wait %(num)s second, then try again.",
                "Too many wrong passwords for this account. "
                "Wait %(num)s seconds, then try again.",
                seconds,
            )
        )
    return str(
        ngettext(
            "Too many wrong passwords for this account. "
            "Wait %(num)s minute, then try again.",
            "Too many wrong passwords for this account. "
            "Wait %(num)s minutes, then try again.",
            (seconds + 59) // 60,
        )
    )


def when(value: datetime | None, tz: str) -> str:
    """Return a UTC time as a date and time in the zone `tz`, in the locale."""
    if value is None:
        return ""
    zone, locale = ZoneInfo(tz), current_locale()
    day = format_skeleton("yMMMEd", value, tzinfo=zone, locale=locale)
    clock = format_time(value, "short", tzinfo=zone, locale=locale)
    pattern = str(get_datetime_format("medium", locale=locale))
    return pattern.replace("{1}", str(day)).replace("{0}", str(clock))


def when_iso(value: datetime | None, tz: str) -> str:
    """Return a UTC time as ISO 8601 with the zone's offset (for <time datetime>)."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(tz)).isoformat(timespec="minutes")


def duration(seconds: float | None) -> str:
    """Return a time taken as "12 min 5 s" (words in the locale)."""
    if seconds is None:
        return "–"
    total = int(round(seconds))
    minutes, secs = divmod(total, 60)
    if minutes == 0:
        return str(gettext("%(seconds)s s", seconds=secs))
    return str(gettext("%(minutes)s min %(seconds)s s", minutes=minutes, seconds=secs))


def grading_name(method: str) -> str:
    """Return the name of a grading method."""
    names = {
        "highest": gettext("Highest score"),
        "last": gettext("Last attempt"),
        "first": gettext("First attempt"),
        "average": gettext("Average of all attempts"),
    }
    return str(names.get(method, method))


def mode_name(mode: str) -> str:
    """Return the name of a quiz mode."""
    return str(gettext("Test") if mode == "test" else gettext("Practice"))


def task_status(status: str) -> str:
    """Return a student's task status in words (UI.md §10)."""
    names = {
        "not_started": gettext("Not started"),
        "in_progress": gettext("In progress"),
        "completed": gettext("Completed"),
        "submitted": gettext("Submitted"),
        "upcoming": gettext("Cannot start yet"),
        "closed": gettext("Closed"),
    }
    return str(names.get(status, status))
