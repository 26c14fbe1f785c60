"""The I/O layer's part, inline: carry out Persist, Job and Stream actions at once, in order, for core-level tests.

The gateway runs them off the event loop (server/gateway/app.py); run here one
after another, every lane's order holds trivially. What is left is what the
gateway would send or close.
"""

from __future__ import annotations

from server.actions import Close, Job, Persist, Publish, Send, Stream


def carry_out(actions, now: float = 0.0) -> list[Send | Close]:
    out: list[Send | Close] = []
    for a in actions:
        if isinstance(a, Persist):
            a.write()
            out += carry_out(a.then, now)
        elif isinstance(a, Job):
            try:
                result = a.work()
            except Exception as exc:  # the gateway hands a job's exception to its done, like this
                result = exc
            out += carry_out(a.done(result, now), now)
        elif isinstance(a, Stream):  # the gateway sends its parts one by one as the socket drains
            out += [Send(a.cid, part) for part in a.parts]
        elif not isinstance(a, Publish):
            out.append(a)
    return out
