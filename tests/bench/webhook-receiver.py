"""A webhook receiver for webhook-latency.sh: answers 204 at once and records, per event, the seconds from the event's
time (when its write was authenticated, so a little before its commit) to its arrival. On SIGTERM prints count|p50|p99|max."""
import json, signal, sys, threading, time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

latencies, seen, lock = [], set(), threading.Lock()

class Handler(BaseHTTPRequestHandler):
    # Keep-alive, as receivers behind any web server do; HTTP/1.0 would close the connection after every event.
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        arrived = time.time()
        event = json.loads(body)
        with lock:
            if event["id"] not in seen:
                seen.add(event["id"])
                latencies.append(arrived - datetime.fromisoformat(event["time"]).timestamp())
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass

def report(*_):
    with lock:
        ordered = sorted(latencies)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")
    print(f"{len(ordered)}|{pick(0.5):.3f}|{pick(0.99):.3f}|{(ordered[-1] if ordered else float('nan')):.3f}", flush=True)
    sys.exit(0)

signal.signal(signal.SIGTERM, report)
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
