"""Helpers for the demo data that each app's `demo.py` contributes to `seed_demo`."""


def ensure(model, lookup, defaults=None, *, author=None):
    """Create the object unless one matches `lookup`; never change an existing one.

    The author is recorded in history, as if they had entered the object themselves.
    """
    obj = model._default_manager.filter(**lookup).first()
    if obj is not None:
        return obj
    obj = model(**lookup, **(defaults or {}))
    obj._history_user = author
    obj.save()
    return obj
