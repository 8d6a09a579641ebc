"""Running one step for several people at the same moment, in the worst interleaving."""

import contextlib
import threading

from django.db import connection
from django.db.models.signals import pre_save


def at_once(people, step, *, writes, refused=Exception):
    """Run `step(person)` for each person in a thread of its own, all at the same moment;
    return {person: "done" | the refusal | "<error>: <text>"}.

    Each step waits, when it first saves a `writes` row, until every step has read what it
    checks: the worst interleaving, every time. Where a row lock serialises the steps, the
    others still wait for the row, this wait times out and the first step goes on alone.
    """
    start = threading.Barrier(len(people))
    all_read = threading.Barrier(len(people), timeout=1)
    held = threading.local()
    outcomes = {}

    def hold_until_all_read(sender, instance, **kwargs):
        if not getattr(held, "done", False):
            held.done = True
            with contextlib.suppress(threading.BrokenBarrierError):
                all_read.wait()

    def run(person):
        try:
            start.wait(timeout=10)
            step(person)
            outcomes[person] = "done"
        except refused as refusal:
            outcomes[person] = refusal
        except Exception as error:  # anything else is what the caller's assertion reports
            outcomes[person] = f"{type(error).__name__}: {error}"
        finally:
            connection.close()

    pre_save.connect(hold_until_all_read, sender=writes, weak=False)
    try:
        threads = [threading.Thread(target=run, args=[person]) for person in people]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        pre_save.disconnect(hold_until_all_read, sender=writes)
    return outcomes
