"""What the LiveKit and Twilio stand-ins share: plumbing, not protocol.

Both stand-ins (livekit_standin.py, twilio_standin.py) are run as scripts and
import this module from their own directory. It holds the parts that do not
depend on the provider:

* HTTP answers: ``HTTPError``, JSON encoding, keep-alive responses that always
  carry ``Content-Length``, and request bodies read up front with a size limit;
* the ``/_standin/`` control surface: its routes, JSON plumbing, option checks
  and fault injection (``Fault`` specs and the after/count matching);
* the state's lock, simulated clock and request counts;
* the entry point: port file, signals, lifecycle ticker and the server loop.

The provider-specific answers (auth, routes, error bodies, defaults) stay in
each stand-in, which fills in the hooks below. Python 3 standard library only.
"""

import argparse
import json
import os
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from standin_quota import Quota, quota_config_updates  # noqa: F401 (the stand-ins' import)

PLAIN = "text/plain; charset=utf-8"
JSON_CT = "application/json"


def to_json_bytes(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class HTTPError(Exception):
    """A finished HTTP answer raised from deep inside request handling."""

    def __init__(self, status, body, content_type=PLAIN, headers=None):
        super().__init__(body)
        self.status, self.body, self.content_type = status, body, content_type
        self.headers = headers or {}


def control_error(status, message):
    """A control-surface error: `{"error": message}`."""
    return HTTPError(status, to_json_bytes({"error": message}), JSON_CT)


class BodyTooLarge(Exception):
    pass


# ----------------------------------------------------------------------------
# Control-surface values
# ----------------------------------------------------------------------------

def opt_int(spec, key):
    v = spec.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise ValueError(f"{key} must be a non-negative integer")
    return v


def control_str(doc, key, required=True, non_empty=False):
    v = doc.get(key)
    if v is None and not required:
        return None
    if not isinstance(v, str) or (non_empty and required and not v):
        raise ValueError(f"{key} must be a {'non-empty ' if non_empty else ''}string")
    return v


def control_creation_time(doc):
    """`creation_time` of a seeded room: unix seconds or None."""
    creation = doc.get("creation_time")
    if creation is not None and (isinstance(creation, bool)
                                 or not isinstance(creation, (int, float))):
        raise ValueError("creation_time must be unix seconds")
    return creation


def control_identities(doc, non_empty=False):
    """`participants` of a seeded room: a list of identities."""
    identities = doc.get("participants") or []
    if not isinstance(identities, list) or not all(
            isinstance(i, str) and (i or not non_empty) for i in identities):
        raise ValueError("participants must be a list of identities")
    return identities


def config_int_updates(doc, updates):
    """The config keys both stand-ins share: the clock offset and the default timeouts."""
    for key in ("date_offset_seconds", "default_empty_timeout", "default_departure_timeout"):
        if key in doc:
            v = doc[key]
            if isinstance(v, bool) or not isinstance(v, int):
                raise ValueError(f"{key} must be an integer")
            if key != "date_offset_seconds" and v <= 0:
                raise ValueError(f"{key} must be positive")
            updates[key] = v
    return updates


# ----------------------------------------------------------------------------
# Faults
# ----------------------------------------------------------------------------

FAULT_PHASES = ("before", "after")


class Fault:
    """One injected fault (POST /_standin/faults).

    A subclass sets `targets` (the valid `method` values) and may override
    `_read_answer` / `_check_answer` (what the fault answers, and its checks,
    in the order they report errors) and `_extra_json`.

    Beyond the answer (`status`, `body`, `content_type`, `headers`) and the
    matching (`after`, `count`), a fault says when it strikes and how the
    answer goes out (the fault matrix, tests/integration/test_faults.py):

    * `phase`: "before" (default) strikes before the operation runs, so a
      fault answer means the server did nothing; "after" lets the operation
      take effect first and then strikes on its answer, so "the room was
      created but the answer was lost" can be staged;
    * `truncate`: N sends the answer (the fault's, or with `phase: "after"`
      and no `status` the real one) with its full Content-Length but only its
      first N body bytes, then closes the connection;
    * `exit`: the stand-in process ends at once, like `kill -9`, when the
      fault strikes (after `delay_ms`; with `phase: "after"`, after the
      operation took effect): the media server killed mid-run.
    """

    targets = frozenset()
    default_content_type = PLAIN
    headers = None  # extra response headers, or None

    def __init__(self, spec):
        if not isinstance(spec, dict) or spec.get("method") not in self.targets:
            raise ValueError(f"method must be one of {sorted(self.targets)}")
        self.method = spec["method"]
        self.status = opt_int(spec, "status")
        self._read_answer(spec)
        self.delay_ms = opt_int(spec, "delay_ms") or 0
        self.count = opt_int(spec, "count")  # None = unlimited
        self.after = opt_int(spec, "after") or 0
        self.drop = bool(spec.get("drop", False))
        self.phase = spec.get("phase", "before")
        if self.phase not in FAULT_PHASES:
            raise ValueError(f"phase must be one of {list(FAULT_PHASES)}")
        self.truncate = opt_int(spec, "truncate")  # None = the whole body
        self.exit = bool(spec.get("exit", False))
        if not isinstance(self.body, str) or not isinstance(self.content_type, str):
            raise ValueError("body and content_type must be strings")
        if self.headers is None:  # a subclass that reads no headers gets them here
            self.headers = spec.get("headers") or {}
        if not isinstance(self.headers, dict) or not all(
                isinstance(k, str) and isinstance(v, (str, int)) and "\n" not in f"{k}{v}"
                for k, v in self.headers.items()):
            raise ValueError("headers must be an object of single-line strings")
        self.headers = {k: str(v) for k, v in self.headers.items()}
        self._check_answer()

    def _read_answer(self, spec):
        self.body = spec.get("body", "")
        self.content_type = spec.get("content_type", self.default_content_type)

    def _check_answer(self):
        self._check_status()

    def _check_status(self):
        if self.status is not None and not 100 <= self.status <= 599:
            raise ValueError("status must be 100..599")

    def _extra_json(self):
        return {}

    def to_json(self):
        doc = {"method": self.method, "status": self.status, "body": self.body,
               "content_type": self.content_type, "headers": dict(self.headers)}
        doc.update(self._extra_json())
        doc.update({"delay_ms": self.delay_ms, "count": self.count, "after": self.after,
                    "drop": self.drop, "phase": self.phase, "truncate": self.truncate,
                    "exit": self.exit})
        return doc


# ----------------------------------------------------------------------------
# State
# ----------------------------------------------------------------------------

class State:
    """Everything mutable, behind one lock (handlers run on many threads).

    A subclass sets `counted` (operations whose count starts at 0) and
    `wildcard_skips` (fault targets that `*` does not cover), and may extend
    `_reset_more`.
    """

    counted = ()
    wildcard_skips = ()

    def __init__(self, defaults):
        self.lock = threading.Lock()
        self.defaults = dict(defaults)
        self.reset()

    def reset(self):
        with self.lock:
            # Bumped by every reset: a request a fault held across one (a test's delayed call
            # outliving the test, on a stand-in shared by the next) sees it and hangs up.
            self.generation = getattr(self, "generation", 0) + 1
            self.config = dict(self.defaults)
            self.rooms = {}
            self.faults = []
            self.counts = {op: 0 for op in self.counted}
            self.log = []  # one entry per fault target answered: GET /_standin/log
            self.quota = Quota()  # GET /_standin/quota
            self._reset_more()

    def _reset_more(self):
        pass

    def now(self):
        # The simulated server clock: the Date header, timestamps and the room
        # lifecycle all use it, so a skewed server behaves consistently.
        return time.time() + self.config["date_offset_seconds"]

    def count_request(self, op):
        with self.lock:
            self.counts[op] = self.counts.get(op, 0) + 1

    def log_answer(self, entry):
        with self.lock:
            self.log.append(entry)

    def pick_fault(self, target):
        """Consumes and returns the first active fault for `target`, if any."""
        with self.lock:
            for f in self.faults:
                if f.method not in (target, "*"):
                    continue
                if f.method == "*" and target in self.wildcard_skips:
                    continue
                if f.count is not None and f.count <= 0:
                    continue
                if f.after > 0:
                    f.after -= 1
                    continue
                if f.count is not None:
                    f.count -= 1
                return f
        return None


# ----------------------------------------------------------------------------
# HTTP
# ----------------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    """Request plumbing and the control surface.

    A subclass provides `_api()` (the provider's surface), the control routes
    `_state_snapshot`, `_seed_room`, `_add_participant`, `_remove_participant`
    and `_set_config`, and the provider's answers for a body that is too large
    or unreadable and for an internal error.
    """

    protocol_version = "HTTP/1.1"  # keep-alive; every answer carries Content-Length
    # Answers go out in two writes (headers, body): with Nagle on, the second waits for the
    # client's delayed ACK, adding ~40 ms to every call on a kept-alive connection.
    disable_nagle_algorithm = True
    timeout = 120  # drop idle keep-alive connections eventually

    # Set on the class by serve(), from main().
    state = None
    verbose = False
    stop_event = None

    # Set by the provider's subclass.
    fault_class = Fault
    max_request_body = 0
    default_content_type = PLAIN
    reject_negative_length = False  # else a negative Content-Length reads as no body
    announce_close = False  # send "Connection: close" when the connection ends
    non_empty_strings = False  # control-surface strings must not be empty

    # -- plumbing ---------------------------------------------------------

    def send_response(self, code, message=None):
        # Like Go's net/http: a Date header and no Server header.
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())

    def date_time_string(self, timestamp=None):
        # Date header from the simulated (possibly skewed) server clock.
        return super().date_time_string(self.state.now() if timestamp is None else timestamp)

    def _standard_headers(self):
        """Headers every answer carries after Content-Length."""
        return ()

    def _send(self, status, body=b"", content_type=None, headers=None):
        if isinstance(body, str):
            body = body.encode("utf-8")
        late, self._late_fault = getattr(self, "_late_fault", None), None
        if getattr(self, "_fault_target", None) is not None:
            # The operation's own answer (or a phase-"before" fault's): log it once.
            self._log_answer(status, body, "after" if late else getattr(self, "_struck", None))
        if late is not None:
            # Phase "after": the operation took effect and `status`/`body` was its answer.
            self._strike(late)
            if late.status is not None:
                status, body = late.status, late.body.encode("utf-8")
                content_type, headers = late.content_type, late.headers
        if content_type is None:
            content_type = self.default_content_type
        truncate, self._truncate = getattr(self, "_truncate", None), None
        if truncate is not None and truncate < len(body):
            # Content-Length promises the whole body; the connection ends after `truncate`.
            self.close_connection = True
            self._send_head(status, len(body), content_type, headers)
            self.wfile.write(body[:truncate])
            try:
                self.connection.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            return
        self._send_head(status, len(body), content_type, headers)
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_head(self, status, length, content_type, headers):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        for k, v in self._standard_headers():
            self.send_header(k, v)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if self.announce_close and self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()

    def _log_answer(self, status, body, fault):
        """One entry of GET /_standin/log: what the fault target answered, and the room
        `sid` and `name` in it, so a test sees rooms created even when the answer was lost."""
        sid = name = None
        try:
            # A list's answer never names one room at its top level; parsing a 55 MB ListRooms
            # answer here cost the stand-in ~1 s per call (and the bench measured that).
            listing = self._fault_target == "ListRooms"
            doc = json.loads(body) if body and not listing else None
            if isinstance(doc, dict) and isinstance(doc.get("sid"), str):
                sid = doc["sid"]
                name = doc.get("name", doc.get("unique_name"))  # LiveKit's, Twilio's
        except ValueError:
            pass
        self.state.log_answer({"method": self._fault_target, "status": status, "sid": sid,
                               "name": name, "fault": fault})
        self._fault_target = None

    def _read_body(self):
        """Reads the whole body up front (Content-Length or chunked), max `max_request_body`."""
        te = self.headers.get("Transfer-Encoding", "").lower()
        if "chunked" in te:
            chunks, total = [], 0
            while True:
                size = int(self.rfile.readline(1024).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    break
                total += size
                if total > self.max_request_body:
                    self.close_connection = True
                    raise BodyTooLarge()
                chunks.append(self.rfile.read(size))
                self.rfile.readline(8)
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0 and self.reject_negative_length:
            raise ValueError("negative Content-Length")
        if length > self.max_request_body:
            self.close_connection = True  # the unread body would poison keep-alive
            raise BodyTooLarge()
        return self.rfile.read(length) if length > 0 else b""

    def do_GET(self):
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def _dispatch(self):
        # Per request: one handler object serves every request of a keep-alive connection.
        self._fault_target = self._struck = self._late_fault = self._truncate = None
        try:
            url = urlsplit(self.path)
            self.url_path = url.path
            self.query = parse_qs(url.query, keep_blank_values=True)
            try:
                self.body = self._read_body()
            except BodyTooLarge:
                raise self._body_too_large() from None
            except ValueError:
                self.close_connection = True
                raise self._bad_body() from None
            if self.url_path.startswith("/_standin/"):
                self._control()
            else:
                self._api()
        except HTTPError as e:
            try:
                self._send(e.status, e.body, e.content_type, e.headers)
            except (BrokenPipeError, ConnectionResetError):  # gone, or a fault dropped it
                self.close_connection = True
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception:  # noqa: BLE001 - keep serving; tracebacks hold no credentials
            traceback.print_exc(file=sys.stderr)
            self.close_connection = True
            try:
                self._send(500, self._internal_error_body())
            except OSError:
                pass

    def _apply_fault(self, target):
        self._fault_target = target
        fault = self.state.pick_fault(target)
        if fault is None:
            return
        self._truncate = fault.truncate
        if fault.phase == "after":
            self._late_fault = fault  # _send() strikes, on the operation's answer
            return
        self._struck = "before"
        self._strike(fault)
        if fault.status is not None:
            raise HTTPError(fault.status, fault.body, fault.content_type, fault.headers)

    def _strike(self, fault):
        """The part of a fault that is not an answer: delay, then exit or drop."""
        if fault.delay_ms:
            generation = self.state.generation
            # Interruptible, so SIGTERM is not held up by a simulated hang.
            self.stop_event.wait(fault.delay_ms / 1000)
            if self.state.generation != generation:
                # The stand-in was reset meanwhile: the test that set the fault is over, and
                # its request must not act on the next test's rooms (a held /rtc join once
                # created a room in a later test's state). Hang up as a dead server would.
                self._hang_up()
        if fault.exit or fault.drop:
            if self._fault_target is not None:  # nothing is answered: log that
                self._log_answer(None, b"", fault.phase)
        if fault.exit:
            # The media server killed mid-run: no cleanup, the kernel closes every socket.
            os.kill(os.getpid(), signal.SIGKILL)
        if fault.drop:
            self._hang_up()

    def _hang_up(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        raise ConnectionResetError()

    # -- the control surface -------------------------------------------------

    def _control_json(self):
        try:
            doc = json.loads(self.body.decode("utf-8") or "{}")
        except ValueError:
            raise control_error(400, "body is not JSON") from None
        if not isinstance(doc, dict):
            raise control_error(400, "body must be an object")
        return doc

    def _control(self):
        st, path = self.state, self.url_path
        routes = {
            ("GET", "/_standin/state"): lambda _doc: self._state_snapshot(),
            ("POST", "/_standin/rooms"): self._seed_room,
            ("POST", "/_standin/participants"): self._add_participant,
            ("POST", "/_standin/participants/remove"): self._remove_participant,
            ("POST", "/_standin/reset"): lambda _doc: (st.reset(), {})[1],
            ("POST", "/_standin/config"): self._set_config,
            ("POST", "/_standin/faults"): self._add_fault,
            ("POST", "/_standin/faults/clear"): self._clear_faults,
            ("GET", "/_standin/log"): lambda _doc: {"log": self._answer_log()},
            ("GET", "/_standin/quota"): lambda _doc: st.quota.to_json(),
        }
        route = routes.get((self.command, path))
        if route is None:
            raise control_error(404, f"no control route {self.command} {path}")
        try:
            result = route(self._control_json() if self.command == "POST" else {})
        except (ValueError, TypeError) as e:
            raise control_error(400, str(e)) from None
        except KeyError as e:
            raise control_error(404, f"not found: {e.args[0]}") from None
        self._send(200, to_json_bytes(result), JSON_CT)

    def _str(self, doc, key, required=True):
        return control_str(doc, key, required, self.non_empty_strings)

    def _add_fault(self, doc):
        fault = self.fault_class(doc)
        with self.state.lock:
            self.state.faults.append(fault)
            return {"faults": [f.to_json() for f in self.state.faults]}

    def _answer_log(self):
        with self.state.lock:
            return list(self.state.log)

    def _clear_faults(self, _doc):
        with self.state.lock:
            self.state.faults.clear()
        return {"faults": []}


# ----------------------------------------------------------------------------
# Entry point
# ----------------------------------------------------------------------------

class StandinServer(ThreadingHTTPServer):
    # socketserver's backlog of 5 drops the connects of a client opening 32 connections at
    # once, which then wait out a 1 s SYN retry; real servers listen far wider.
    request_queue_size = 1024
    daemon_threads = True
    allow_reuse_address = True


def url_host(host):
    """A host as it stands in a URL: IPv6 addresses in brackets."""
    return f"[{host}]" if ":" in host else host


def positive_int(text):
    v = int(text)
    if v <= 0:
        raise argparse.ArgumentTypeError("must be a positive integer")
    return v


def write_port_file(path, port):
    # Write then rename, so a reader polling for the file never sees it half-written.
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".port-", dir=directory)
    with os.fdopen(fd, "w") as f:
        f.write(f"{port}\n")
    os.replace(tmp, path)


def ticker(interval, tick, stop_event):
    """Calls `tick` every `interval` seconds until `stop_event` is set."""
    while not stop_event.wait(interval):
        tick()


def serve(name, host, port, port_file, handler_cls, handler_attrs, tick, tick_interval,
          tls=None):
    """Binds, announces `NAME listening on http://HOST:PORT`, serves until SIGTERM/SIGINT.

    Requests go to a subclass of `handler_cls` with `handler_attrs` (state,
    verbose, ...) and the shared `stop_event` set on it. `tick` (the room
    lifecycle) runs on its own thread every `tick_interval` seconds. Returns the
    exit status, 0. `tls` = (cert_file, key_file) serves HTTPS instead, for tests that
    prove roomctl verifies certificates.
    """
    stop_event = threading.Event()
    handler = type("BoundHandler", (handler_cls,), dict(handler_attrs, stop_event=stop_event))
    server_cls = StandinServer
    if ":" in host:
        server_cls = type("StandinServer6", (StandinServer,), {"address_family": socket.AF_INET6})
    server = server_cls((host, port), handler)
    port = server.server_address[1]
    scheme = "http"
    if tls:
        import ssl
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls[0], tls[1])
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"

    # The handler runs on the main thread, possibly inside stop_event.wait(); Event.set()
    # there would need the lock wait() holds and deadlock. A plain flag cannot.
    stopping = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.append(True))

    threading.Thread(target=ticker, args=(tick_interval, tick, stop_event), daemon=True).start()
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                               daemon=True)
    serving.start()

    if port_file:
        write_port_file(port_file, port)
    print(f"{name} listening on {scheme}://{url_host(host)}:{port}", flush=True)

    while not stopping:
        time.sleep(0.1)
    stop_event.set()  # stops the ticker and any fault delay in progress
    server.shutdown()
    server.server_close()
    return 0
