#!/usr/bin/python3
"""Runs tests/standin/livekit_standin.py for the bench (kept so older notes still work).

The stand-in itself now disables Nagle's algorithm and listens with a backlog of 1024, the
two settings this wrapper used to apply (see bench/README.md). Same arguments.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "standin"))

import livekit_standin  # noqa: E402

if __name__ == "__main__":
    sys.exit(livekit_standin.main())
