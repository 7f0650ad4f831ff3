"""`rooms create` with a room's settings (issue 14 item 6): what reaches the server's CreateRoom
request, byte for byte, through a recording relay in front of the stand-in; what the output
shows (a status callback's user:password@ never); and that a setting the provider does not
have is refused before any request is made (exit 2, one line)."""
import http.client
import http.server
import json
import threading
from urllib.parse import parse_qsl

import pytest

# Hop-by-hop headers the relay answers itself (it closes each connection: HTTP/1.0).
HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-length"}


class RecordingRelay:
    """Forwards every request to the stand-in unchanged and keeps (method, path, body) of each,
    so a test sees exactly what roomctl sent. The stand-in's own control surface only counts
    requests."""

    def __init__(self, standin):
        self.requests = []
        relay = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _forward(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                relay.requests.append((self.command, self.path, body))
                upstream = http.client.HTTPConnection("127.0.0.1", standin.port, timeout=30)
                try:
                    headers = {k: v for k, v in self.headers.items()
                               if k.lower() not in HOP_HEADERS | {"host"}}
                    upstream.request(self.command, self.path, body=body, headers=headers)
                    answer = upstream.getresponse()
                    data = answer.read()
                    self.send_response_only(answer.status, answer.reason)
                    for k, v in answer.getheaders():
                        if k.lower() not in HOP_HEADERS:
                            self.send_header(k, v)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                finally:
                    upstream.close()

            do_GET = do_POST = do_DELETE = _forward

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def create_bodies(self, provider):
        """The bodies of the CreateRoom requests: Twilio's form as (key, value) pairs in order,
        LiveKit's Twirp JSON as a dict."""
        if provider == "twilio":
            return [parse_qsl(b.decode(), keep_blank_values=True)
                    for m, p, b in self.requests if m == "POST" and p == "/v1/Rooms"]
        return [json.loads(b) for m, p, b in self.requests if p.endswith("/CreateRoom")]

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def relay(standin):
    r = RecordingRelay(standin)
    yield r
    r.close()


def one_error_line(r):
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("roomctl: error:"), r.stderr
    return lines[0]


@pytest.mark.parametrize("provider", ["twilio"])
def test_twilio_gets_exactly_the_settings_asked_for_and_the_output_hides_the_callback_password(
        run, standin, relay):
    r = run("rooms", "create", "session-go", "--type", "go", "--max-participants", "2",
            "--status-callback", "https://u:p@app.example/cb", "--empty-timeout", "10m",
            "--json", url=relay.url)
    assert r.code == 0, r.stderr
    [form] = relay.create_bodies("twilio")
    assert form == [("UniqueName", "session-go"), ("Type", "go"), ("UnusedRoomTimeout", "10"),
                    ("MaxParticipants", "2"), ("StatusCallback", "https://u:p@app.example/cb")]
    # The server got the app's credentials; nothing roomctl printed has them.
    assert standin.rooms()["session-go"]["status_callback"] == "https://u:p@app.example/cb"
    assert "u:p" not in r.stdout + r.stderr
    room = r.json["room"]
    assert room["type"] == "go"
    assert room["max_participants"] == 2
    assert room["status_callback"] == "https://********@app.example/cb"
    assert room["status_callback_method"] == "POST"  # Twilio's default, as the server says
    assert room["metadata"] == ""

    text = run("rooms", "create", "session-go", url=relay.url)  # 53113: the room is adopted
    assert text.code == 0, text.stderr
    assert "u:p" not in text.stdout + text.stderr
    assert "status callback:   https://********@app.example/cb" in text.stdout
    assert "type:              go" in text.stdout


@pytest.mark.parametrize("provider", ["twilio"])
def test_twilio_gets_the_callback_method_and_media_region(run, standin, relay):
    r = run("rooms", "create", "session-p2p", "--type", "peer-to-peer", "--status-callback",
            "https://app.example/cb", "--status-callback-method", "GET", "--media-region", "de1",
            "--json", url=relay.url)
    assert r.code == 0, r.stderr
    [form] = relay.create_bodies("twilio")
    assert dict(form) == {"UniqueName": "session-p2p", "Type": "peer-to-peer",
                          "UnusedRoomTimeout": "60", "StatusCallback": "https://app.example/cb",
                          "StatusCallbackMethod": "GET", "MediaRegion": "de1"}
    room = r.json["room"]
    assert (room["type"], room["status_callback"], room["status_callback_method"],
            room["media_region"]) == ("peer-to-peer", "https://app.example/cb", "GET", "de1")


@pytest.mark.parametrize("provider", ["livekit"])
def test_livekit_gets_metadata_and_max_participants(run, standin, relay):
    metadata = json.dumps({"session": 42, "title": "Mentoring"})
    r = run("rooms", "create", "session-42", "--metadata", metadata, "--max-participants", "2",
            "--departure-timeout", "20s", "--json", url=relay.url)
    assert r.code == 0, r.stderr
    [body] = relay.create_bodies("livekit")
    assert body == {"name": "session-42", "empty_timeout": 3600, "departure_timeout": 20,
                    "max_participants": 2, "metadata": metadata}
    on_server = standin.rooms()["session-42"]
    assert on_server["metadata"] == metadata and on_server["max_participants"] == 2
    room = r.json["room"]
    assert room["metadata"] == metadata and room["max_participants"] == 2
    # The JSON has one shape for both providers: LiveKit has no Twilio settings.
    assert (room["type"], room["status_callback"], room["status_callback_method"],
            room["media_region"]) == ("", "", "", "")
    text = run("rooms", "create", "session-42", url=relay.url)  # idempotent: same room
    assert text.code == 0, text.stderr
    assert f"metadata:          {metadata}" in text.stdout
    assert "type:" not in text.stdout


REFUSED = [
    ("livekit", ["--type", "group"], "room type is a Twilio Video setting"),
    ("livekit", ["--status-callback", "https://app.example/cb"], "status callback"),
    ("livekit", ["--status-callback-method", "POST"], "status callback method"),
    ("livekit", ["--media-region", "us1"], "media region"),
    ("twilio", ["--metadata", '{"session":1}'], "Twilio Video rooms have no metadata"),
    ("twilio", ["--type", "huge"], 'room type "huge" is not a Twilio Video room type'),
    ("twilio", ["--max-participants", "51"], "at most 50"),
    ("twilio", ["--status-callback", "app.example/cb"], "not an absolute http(s) URL"),
    ("twilio", ["--status-callback-method", "PUT"], "use GET or POST"),
    ("twilio", ["--media-region", "mars1"], 'media region "mars1" is not a Twilio Video region'),
    ("twilio", ["--departure-timeout", "90s"], "whole minutes"),
]


@pytest.mark.parametrize("provider,flags,says", REFUSED,
                         ids=[f"{p}-{f[0][2:]}" for p, f, _ in REFUSED])
def test_a_setting_the_provider_cannot_honour_is_refused_before_any_request(
        run, standin, relay, provider, flags, says):
    r = run("rooms", "create", "session-1", *flags, url=relay.url)
    assert r.code == 2, (r.code, r.stderr)
    assert says in one_error_line(r)
    assert r.stdout == ""
    assert relay.requests == [], "nothing may reach the server"
    assert standin.rooms() == {}


@pytest.mark.parametrize("provider", ["twilio"])
def test_a_refused_callback_never_echoes_its_credentials(run, standin, relay):
    r = run("rooms", "create", "session-1", "--status-callback", "ftp://u:s3cr3t-pw@app.example/cb",
            url=relay.url)
    assert r.code == 2
    line = one_error_line(r)
    assert "s3cr3t-pw" not in r.stdout + r.stderr
    assert "ftp://********@app.example/cb" in line
    assert relay.requests == []
