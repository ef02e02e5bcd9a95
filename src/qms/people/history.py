"""Who made a change and why, for django-simple-history: every service of every app records it
through `record_by` before saving a record that keeps history."""


def record_by(instance, by, reason: str = "") -> None:
    """Tell django-simple-history who made this change (`by`, None for the system) and why."""
    instance._history_user = by
    # Always set, so a reason given for an earlier change is not carried over to this one.
    instance._change_reason = reason
