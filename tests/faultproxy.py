"""A TCP proxy that breaks connections on purpose, for roomctl's fault tests.

Standard library only (sockets and threads); tests run it in-process, in front of a stand-in:

    proxy = FaultProxy(standin.port)          # listens on 127.0.0.1:<free port>
    run(..., url=proxy.url)                   # roomctl talks to the proxy
    proxy.set("reset", match="CreateRoom", nbytes=12, count=1)
    proxy.set("pass")                         # heal
    proxy.close()

It reads just enough HTTP/1.1 to find where each request and answer ends (Content-Length or
chunked; clients do not pipeline), so a rule applies per request even on kept-alive
connections. One rule is active at a time; `set()` replaces it. Modes:

    pass       forward both ways, untouched
    reset      forward the request, wait for the whole answer (the server acted), send the
               client its first `nbytes` bytes, then RST (SO_LINGER 0): a reset mid-response
    truncate   the same, but end with FIN after `nbytes` bytes: a truncated answer
    blackhole  read the request, never forward it, never answer; the connection stays open
               until the client gives up (or the proxy closes): a server that accepts and hangs
    jitter     forward, holding each answer for uniform(`low`, `high`) seconds (20 ms to 2 s by
               default) from random.Random(`seed`), so a run is reproducible
    kill       forward the request, wait for the answer (the server acted), then "the server
               dies": every open connection is reset and the listener closed, so new connects
               are refused, until `revive()` listens again on the same port
    strip_upgrade  forward the request with its `Upgrade` header removed and `upgrade` taken
               out of `Connection` (the header goes when nothing is left): a reverse proxy
               that does not pass WebSocket upgrades; the server answers a plain GET
    ws_idle_close  forward; after the server's 101 forward raw bytes both ways, then end both
               TCP connections (FIN, no WebSocket close frame, so the client sees 1006) after
               `seconds` without traffic either way, or with `first_message=True` right after
               the server's first whole WebSocket frame reached the client (the rest is not
               forwarded): a load balancer's idle timeout

After any 101 Switching Protocols answer (in every mode) the connection is no longer HTTP: the
proxy forwards raw bytes both ways until either side closes.

Triggers, on any mode but pass:

    match             regular expression searched in the request line ("POST /v1/Rooms HTTP/1.1");
                      other requests pass
    after=K           the first K matching requests pass
    count=N           then N requests get the mode, later ones pass (None: all of them)
    after_connections=K   only requests on connections accepted after the first K

`log` lists (request line, `access_token` redacted; mode applied or "pass") in arrival order;
`struck` counts the requests a rule applied to.
"""

import random
import re
import select
import socket
import struct
import threading
import time

__all__ = ["FaultProxy"]

MODES = ("pass", "reset", "truncate", "blackhole", "jitter", "kill", "strip_upgrade",
         "ws_idle_close")


class _Rule:
    def __init__(self, mode="pass", match=None, after=0, count=None, after_connections=0,
                 nbytes=0, low=0.02, high=2.0, seed=0, seconds=None, first_message=False):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        if mode == "ws_idle_close" and not (seconds or first_message):
            raise ValueError("ws_idle_close needs seconds=S or first_message=True")
        self.seconds, self.first_message = seconds, first_message
        self.mode, self.after, self.count = mode, after, count
        self.match = re.compile(match) if match else None
        self.after_connections, self.nbytes = after_connections, nbytes
        self.low, self.high = low, high
        self.rng = random.Random(seed)


class _Closed(Exception):
    """The peer closed, or the proxy aborted the connection."""


class _Reader:
    """Buffered reads of whole HTTP messages from one socket."""

    def __init__(self, sock):
        self.sock, self.buf = sock, bytearray()
        self.taken = bytearray()  # bytes of the message being read, for a partial forward

    def _fill(self):
        try:
            data = self.sock.recv(65536)
        except OSError:
            data = b""
        if not data:
            raise _Closed()
        self.buf += data

    def until(self, marker):
        while (i := self.buf.find(marker)) < 0:
            self._fill()
        out = bytes(self.buf[:i + len(marker)])
        del self.buf[:i + len(marker)]
        self.taken += out
        return out

    def exact(self, n):
        while len(self.buf) < n:
            self._fill()
        out = bytes(self.buf[:n])
        del self.buf[:n]
        self.taken += out
        return out

    def message(self, request_method=None):
        """One message as raw bytes (head and body), plus its start line and fields."""
        self.taken.clear()
        head = self.until(b"\r\n\r\n")
        start = head.split(b"\r\n", 1)[0].decode("latin-1")
        fields = {}
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.decode("latin-1").partition(":")
            fields[name.strip().lower()] = value.strip()
        if request_method is not None:  # an answer
            status = int(start.split()[1])
            if request_method == "HEAD" or status in (204, 304) or 100 <= status < 200:
                return head, start, fields
        if "chunked" in fields.get("transfer-encoding", "").lower():
            body = bytearray()
            while True:
                size_line = self.until(b"\r\n")
                body += size_line
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while (line := self.until(b"\r\n")) != b"\r\n":
                        body += line  # trailers
                    body += b"\r\n"
                    return head + bytes(body), start, fields
                body += self.exact(size + 2)
        length = fields.get("content-length")
        if length is not None:
            return head + self.exact(int(length)), start, fields
        if request_method is None:
            return head, start, fields  # a request without a body
        body = bytearray()  # an answer delimited by the server closing
        try:
            while True:
                self._fill()
                body += self.buf
                self.buf.clear()
        except _Closed:
            return head + bytes(body), start, fields


def _reset(sock):
    """Closes with RST instead of FIN."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


def _strip_upgrade(request):
    """The request without `Upgrade` and without the `upgrade` token of `Connection`."""
    head, sep, body = request.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    out = [lines[0]]
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        key = name.strip().lower()
        if key == b"upgrade":
            continue
        if key == b"connection":
            kept = [t.strip() for t in value.split(b",") if t.strip().lower() != b"upgrade"]
            if not kept:
                continue
            line = name + b": " + b", ".join(kept)
        out.append(line)
    return b"\r\n".join(out) + sep + body


def _first_frame_end(data):
    """Length of the first whole WebSocket frame in `data`, or None while incomplete."""
    if len(data) < 2:
        return None
    n, at = data[1] & 0x7F, 2
    if n == 126:
        if len(data) < 4:
            return None
        n, at = struct.unpack("!H", data[2:4])[0], 4
    elif n == 127:
        if len(data) < 10:
            return None
        n, at = struct.unpack("!Q", data[2:10])[0], 10
    end = at + (4 if data[1] & 0x80 else 0) + n
    return end if len(data) >= end else None


class _Conn:
    def __init__(self, client, number):
        self.client, self.number = client, number
        self.upstream = None
        self.aborted = False
        self.ws_rule = None  # (seconds, first_message) of a ws_idle_close request

    def abort(self):
        """Wakes the thread serving this connection; it then resets the client."""
        self.aborted = True
        for s in (self.client, self.upstream):
            if s is not None:
                try:
                    s.shutdown(socket.SHUT_RD)
                except OSError:
                    pass


class FaultProxy:
    def __init__(self, upstream_port, upstream_host="127.0.0.1", host="127.0.0.1", port=0):
        self.upstream = (upstream_host, upstream_port)
        self.host = host
        self.lock = threading.Lock()
        self.rule = _Rule()
        self.conns = set()
        self.connections = 0
        self.log = []
        self.struck = 0
        self.closed = False
        self.listener = None
        self.port = port
        self._listen()

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    # -- control ---------------------------------------------------------------

    def set(self, mode, **rule):
        """Replaces the active rule (see the module docstring for the fields)."""
        new = _Rule(mode, **rule)
        with self.lock:
            self.rule = new

    def kill(self):
        """The server dies now: open connections reset, new ones refused."""
        with self.lock:
            listener, self.listener = self.listener, None
            conns = list(self.conns)
        if listener is not None:
            try:
                listener.shutdown(socket.SHUT_RDWR)  # wakes accept(); close() alone does not
            except OSError:
                pass
            listener.close()
        for c in conns:
            c.abort()

    def revive(self):
        """The server is back, on the same port."""
        with self.lock:
            if self.listener is not None:
                return
        self._listen()

    def close(self):
        self.closed = True
        self.kill()

    # -- serving ---------------------------------------------------------------

    def _listen(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((self.host, self.port))
        s.listen(256)
        self.port = s.getsockname()[1]
        with self.lock:
            self.listener = s
        threading.Thread(target=self._accept, args=(s,), daemon=True).start()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed by kill()/close()
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self.lock:
                self.connections += 1
                conn = _Conn(client, self.connections)
                self.conns.add(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _decide(self, line, conn):
        with self.lock:
            r = self.rule
            hit = (r.mode != "pass" and (r.match is None or r.match.search(line))
                   and conn.number > r.after_connections)
            if hit and r.after > 0:
                r.after -= 1
                hit = False
            if hit and r.count is not None:
                hit = r.count > 0
                r.count -= hit
            mode = r.mode if hit else "pass"
            # The log keeps no tokens: a WebSocket join carries one in its query.
            self.log.append((re.sub(r"(access_token=)[^&\s]+", r"\1REDACTED", line), mode))
            if hit:
                self.struck += 1
            delay = r.rng.uniform(r.low, r.high) if mode == "jitter" else 0
            conn.ws_rule = (r.seconds, r.first_message) if mode == "ws_idle_close" else None
            return mode, r.nbytes, delay

    def _pipe(self, conn, client_in, upstream_in):
        """Raw forwarding after a 101. Returns True when it ended with FIN (a side closed or
        ws_idle_close cut), False when it should end with RST (aborted)."""
        seconds, first_message = conn.ws_rule or (None, False)
        pending = {conn.client: bytes(client_in.buf), conn.upstream: bytes(upstream_in.buf)}
        client_in.buf.clear()
        upstream_in.buf.clear()
        peer = {conn.client: conn.upstream, conn.upstream: conn.client}
        from_server = bytearray()  # what the server sent, while looking for its first frame
        open_ = [conn.client, conn.upstream]  # sides that have not closed yet
        last = time.monotonic()
        while not conn.aborted:
            for src, data in list(pending.items()):
                if not data:
                    continue
                pending[src] = b""
                if src is conn.upstream and first_message:
                    from_server += data
                    end = _first_frame_end(from_server)
                    if end is not None:
                        conn.client.sendall(bytes(from_server[:end]))
                        return self._cut(conn)
                    continue
                peer[src].sendall(data)
                last = time.monotonic()
            wait = 0.2 if seconds is None else max(0.0, min(0.2, last + seconds - time.monotonic()))
            if seconds is not None and time.monotonic() - last >= seconds:
                return self._cut(conn)
            if not open_:
                return True
            readable, _, _ = select.select(open_, [], [], wait)
            for src in readable:
                try:
                    data = src.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    if conn.aborted:
                        return False
                    open_.remove(src)
                    try:  # a side closed: pass its FIN on, keep forwarding the other way
                        peer[src].shutdown(socket.SHUT_WR)
                    except OSError:
                        pass
                    continue
                pending[src] = pending.get(src, b"") + data
        return False

    @staticmethod
    def _cut(conn):
        """ws_idle_close: both TCP connections end with FIN and no WebSocket close frame."""
        for s in (conn.client, conn.upstream):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        return True

    def _serve(self, conn):
        client_in = _Reader(conn.client)
        upstream_in = None
        graceful = False  # the client closed, or the answer said "Connection: close"
        try:
            while not conn.aborted:
                try:
                    request, line, fields = client_in.message()
                except _Closed:
                    graceful = not conn.aborted
                    break
                if fields.get("expect", "").lower() == "100-continue" and b"\r\n\r\n" in request:
                    # Answer the interim 100 here and drop the header, so the request can be
                    # read whole before it is forwarded.
                    conn.client.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
                    request = re.sub(rb"(?im)^expect:[^\r\n]*\r\n", b"", request, count=1)
                    length = int(fields.get("content-length", "0"))
                    request += client_in.exact(length)
                mode, nbytes, delay = self._decide(line, conn)
                if mode == "strip_upgrade":
                    request = _strip_upgrade(request)
                if mode == "blackhole":
                    while True:  # until the client gives up or the proxy aborts
                        client_in._fill()
                if conn.upstream is None:
                    conn.upstream = socket.create_connection(self.upstream, timeout=None)
                    conn.upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    upstream_in = _Reader(conn.upstream)
                    if conn.aborted:
                        raise _Closed()
                conn.upstream.sendall(request)
                try:
                    answer, _, answer_fields = upstream_in.message(line.split(" ", 1)[0])
                except _Closed:
                    # The server closed mid-answer: pass on what it sent, and its FIN.
                    if not conn.aborted:
                        conn.client.sendall(bytes(upstream_in.taken + upstream_in.buf))
                        graceful = True
                    break
                if mode == "jitter":
                    time.sleep(delay)
                if mode in ("reset", "truncate"):
                    conn.client.sendall(answer[:nbytes])
                    if mode == "truncate":
                        conn.client.shutdown(socket.SHUT_WR)
                        conn.client.close()
                        conn.client = None
                    break
                if mode == "kill":
                    self.kill()
                    break
                conn.client.sendall(answer)
                if answer.startswith((b"HTTP/1.1 101", b"HTTP/1.0 101")):
                    graceful = self._pipe(conn, client_in, upstream_in)
                    break
                if answer_fields.get("connection", "").lower() == "close":
                    graceful = True
                    break
        except (_Closed, OSError):
            pass
        finally:
            with self.lock:
                self.conns.discard(conn)
            if conn.client is not None and graceful and not conn.aborted:
                conn.client.close()
            elif conn.client is not None:
                _reset(conn.client)  # an aborted or broken connection ends with RST
            if conn.upstream is not None:
                conn.upstream.close()
