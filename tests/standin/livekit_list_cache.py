"""ListRooms from a cached encoding: the LiveKit stand-in's --cache-list-rooms (bench only).

Encoding 100,000 rooms as JSON takes the Python stand-in ~1.4 s per ListRooms, longer than
any client needs to read the answer, so a bench of clients would measure the stand-in. With
the flag, an unfiltered ListRooms answers the bytes encoded last time unless a room changed
since; the tests run without it (the live path, which this must equal byte for byte).

"Changed" is tracked structurally rather than at each call site: every mutation of the rooms
dict, of a room's attributes or of a room's participants dict bumps one module-wide counter,
so a new way to change a room (a control route, a fault, the lifecycle ticker, the /rtc join)
invalidates the cache without knowing it exists. Over-invalidating is harmless.
"""

_changes = [0]


def changed():
    _changes[0] += 1


class TrackedDict(dict):
    """A dict whose every mutation counts as a change."""

    def __setitem__(self, key, value):
        changed()
        super().__setitem__(key, value)

    def __delitem__(self, key):
        changed()
        super().__delitem__(key)

    def pop(self, *args):
        changed()
        return super().pop(*args)

    def popitem(self):
        changed()
        return super().popitem()

    def clear(self):
        changed()
        super().clear()

    def update(self, *args, **kwargs):
        changed()
        super().update(*args, **kwargs)

    def setdefault(self, key, default=None):
        changed()
        return super().setdefault(key, default)

    def __ior__(self, other):
        changed()
        return super().__ior__(other)


class TrackedAttributes:
    """A base class whose attribute assignments count as changes (a Room)."""

    def __setattr__(self, name, value):
        changed()
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        changed()
        object.__delattr__(self, name)


class ListRoomsCache:
    """The last unfiltered ListRooms encoding and the change count it was made at."""

    def __init__(self):
        self._at = None
        self._body = None

    def get(self, encode):
        """The cached bytes, or encode()'s (then cached). Call under the state's lock."""
        at = _changes[0]  # read first: a change during encode() leaves the cache stale-marked
        if self._at != at or self._body is None:
            self._body = encode()
            self._at = at
        return self._body
