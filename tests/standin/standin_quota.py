"""The stand-ins' quota fault: N requests per second per key, 429 with Retry-After beyond.

Both stand-ins (livekit_standin.py, twilio_standin.py) check it through
standin_common (State.quota, the "quota_per_second"/"quota_burst" config keys,
GET /_standin/quota). Python 3 standard library only.
"""

import math
import threading
import time


class Quota:
    """A request quota per key (a Twilio account, a LiveKit API key), set with
    POST /_standin/config {"quota_per_second": N, "quota_burst": B}: a token bucket
    refilled at N per second holding up to B requests (default N: one second's
    worth), as API gateways limit "N requests per second". `admit` answers None
    when a request may proceed, else the Retry-After in whole seconds (at least
    1: HTTP has no finer unit). Counts what it admitted and refused."""

    def __init__(self):
        self.lock = threading.Lock()
        self.buckets = {}  # key -> (tokens, monotonic time)
        self.admitted = self.refused = 0

    def admit(self, key, config):
        rate = config.get("quota_per_second") or 0
        if not rate:
            return None
        burst = config.get("quota_burst") or rate
        now = time.monotonic()
        with self.lock:
            tokens, last = self.buckets.get(key, (burst, now))
            tokens = min(burst, tokens + (now - last) * rate)
            if tokens >= 1:
                self.buckets[key] = (tokens - 1, now)
                self.admitted += 1
                return None
            self.buckets[key] = (tokens, now)
            self.refused += 1
            return max(1, math.ceil((1 - tokens) / rate))

    def to_json(self):
        with self.lock:
            return {"admitted": self.admitted, "refused": self.refused}


def quota_config_updates(doc, updates):
    """The quota's config keys, both stand-ins: non-negative numbers (0 = off)."""
    for key in ("quota_per_second", "quota_burst"):
        if key in doc:
            v = doc[key]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
                raise ValueError(f"{key} must be a non-negative number")
            updates[key] = v
    return updates
