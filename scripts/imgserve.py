#!/usr/bin/env python3
"""imgserve.py: a small local image server, a stand-in for a remote store.

Serves the files of one folder over HTTP on 127.0.0.1 only, with a latency added to
every request and a bandwidth cap per connection, so that `toolkit filter --input LIST`
meets what a real object store or web server would make it wait for.  It is no real
remote store: no TLS, no caching, no congestion, a single host.  Used by the tests,
`bench --compare` and `make demo`.

usage: imgserve.py --root DIR [--latency S] [--bandwidth BYTES_PER_S] [--lifetime S]
                   [--port N] [--port-file F]

  --latency S      seconds added before each answer (default 0.02)
  --bandwidth B    bytes per second per connection, 0 = no cap (default 0); K/M/G suffixes
  --lifetime S     the server exits after S seconds whatever happens (default 300)
  --port N         port to listen on (default 0: any free port)
  --port-file F    write the port number to F once listening (then read it)

Paths under the root are served as files (image/png, image/x-portable-anymap, else
application/octet-stream); outside the root or missing: 404.  For the bad-input tests:
  /_stall/NAME     accepts the request and never answers (until --lifetime)
  /_html/NAME      answers 200 with a text/html page instead of an image
  /_fail/NAME      answers 503 every time (a server error: retried, then reported)
  /_flaky/K/NAME   answers 503 to the first K requests for NAME, then serves it
Exit status: 0 after --lifetime, 2 usage error.
"""
import argparse
import http.server
import os
import socketserver
import sys
import threading
import time

flaky_counts = {}
flaky_lock = threading.Lock()


def size_arg(s):
    mult = {"K": 1e3, "M": 1e6, "G": 1e9}
    try:
        if s and s[-1].upper() in mult:
            return float(s[:-1]) * mult[s[-1].upper()]
        return float(s)
    except ValueError:
        raise argparse.ArgumentTypeError("not a number: %r" % s)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "toolkit-imgserve/1"

    def log_message(self, fmt, *args):  # quiet: the tests read toolkit's output
        pass

    def send_body(self, code, ctype, body):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        bw = self.server.bandwidth
        step = 65536
        t0 = time.monotonic()
        for off in range(0, len(body), step):
            self.wfile.write(body[off:off + step])
            if bw > 0:
                due = t0 + (off + step) / bw
                now = time.monotonic()
                if due > now:
                    time.sleep(due - now)

    def do_GET(self):
        time.sleep(self.server.latency)
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        parts = [p for p in path.split("/") if p]
        if parts and parts[0] == "_stall":
            time.sleep(self.server.lifetime)
            return
        if parts and parts[0] == "_html":
            page = b"<!DOCTYPE html><html><body><h1>Sign in to see this image</h1></body></html>\n"
            return self.send_body(200, "text/html; charset=utf-8", page)
        if parts and parts[0] == "_fail":
            return self.send_body(503, "text/plain", b"unavailable\n")
        if len(parts) >= 2 and parts[0] == "_flaky":
            k = int(parts[1]) if parts[1].isdigit() else 0
            key = "/".join(parts[2:])
            with flaky_lock:
                seen = flaky_counts.get(key, 0)
                flaky_counts[key] = seen + 1
            if seen < k:
                return self.send_body(503, "text/plain", b"try again\n")
            parts = parts[2:]
        if not parts or any(p in (".", "..") for p in parts):
            return self.send_body(404, "text/plain", b"not found\n")
        full = os.path.join(self.server.root, *parts)
        real = os.path.realpath(full)
        if not real.startswith(self.server.root + os.sep) or not os.path.isfile(real):
            return self.send_body(404, "text/plain", b"not found\n")
        with open(real, "rb") as f:
            body = f.read()
        ext = os.path.splitext(real)[1].lower()
        ctype = {".png": "image/png", ".pgm": "image/x-portable-graymap",
                 ".ppm": "image/x-portable-pixmap",
                 ".pnm": "image/x-portable-anymap"}.get(ext, "application/octet-stream")
        self.send_body(200, ctype, body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser(description="local image server (a stand-in for a remote store)")
    ap.add_argument("--root", required=True)
    ap.add_argument("--latency", type=float, default=0.02)
    ap.add_argument("--bandwidth", type=size_arg, default=0)
    ap.add_argument("--lifetime", type=float, default=300)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    a = ap.parse_args()
    if not os.path.isdir(a.root) or a.latency < 0 or a.lifetime <= 0:
        print("imgserve.py: error: --root must be a folder, --latency >= 0, --lifetime > 0",
              file=sys.stderr)
        sys.exit(2)
    srv = Server(("127.0.0.1", a.port), Handler)
    srv.root = os.path.realpath(a.root)
    srv.latency = a.latency
    srv.bandwidth = a.bandwidth
    srv.lifetime = a.lifetime
    port = srv.server_address[1]
    if a.port_file:
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, a.port_file)
    # a bounded life: whatever the caller does, the server goes away
    timer = threading.Timer(a.lifetime, lambda: os._exit(0))
    timer.daemon = True
    timer.start()
    try:
        srv.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
