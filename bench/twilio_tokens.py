"""Peer of `roomctl token create --count N`: python3-twilio's AccessToken.to_jwt() in a loop."""
import os
import sys

from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VideoGrant

n = int(os.environ.get("COUNT", "100000"))
out = sys.stdout
buf = []
for i in range(1, n + 1):
    tok = AccessToken("AC" + "0" * 32, "SK" + "0" * 32, "secret-secret-secret-secret-secret",
                      identity=f"u-{i}", ttl=3600)
    tok.add_grant(VideoGrant(room="r"))
    buf.append(tok.to_jwt())
    if len(buf) == 10000:
        out.write("\n".join(buf) + "\n")
        buf.clear()
if buf:
    out.write("\n".join(buf) + "\n")
