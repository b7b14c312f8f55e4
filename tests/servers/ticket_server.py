#!/usr/bin/env python3
"""A ticketing API for socq's webhook handoff tests, shaped like Zendesk's
Tickets API: POST /api/v2/tickets.json {"ticket": {...}} -> 201
{"ticket": {"id": N, ...}}. It honours an Idempotency-Key header as Zendesk
does: a key seen before returns the ticket it made (no second ticket),
with x-idempotency-lookup: hit.

    ticket_server.py [--token TOKEN]

Prints the bound port on the first line (flushed). Control (no auth):
  POST /__ctl/faults ["500", "timeout", ...]  the next ticket requests, in order:
       500: answer 500 and make nothing; timeout: make the ticket, then
       answer only after 5 s (past the client's timeout)
  GET /__ctl/tickets   every ticket made, with the key and headers it came with
  GET /__ctl/requests  how many ticket requests arrived
"""
import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
tickets = []
by_key = {}
faults = []
requests = {"n": 0}
TOKEN = None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n)

    def do_GET(self):
        with lock:
            if self.path == "/__ctl/tickets":
                return self.answer(200, tickets)
            if self.path == "/__ctl/requests":
                return self.answer(200, requests)
        self.answer(404, {"error": "RecordNotFound"})

    def do_POST(self):
        raw = self.body()
        if self.path == "/__ctl/faults":
            with lock:
                faults.extend(json.loads(raw))
            return self.answer(200, {"faults": len(faults)})
        if self.path != "/api/v2/tickets.json":
            return self.answer(404, {"error": "InvalidEndpoint"})
        if TOKEN and self.headers.get("Authorization") != "Basic " + TOKEN:
            return self.answer(401, {"error": "Couldn't authenticate you"})
        try:
            ticket_in = json.loads(raw)["ticket"]
        except (ValueError, KeyError, TypeError):
            return self.answer(400, {"error": "InvalidValue", "description": "not a ticket"})
        key = self.headers.get("Idempotency-Key")
        with lock:
            requests["n"] += 1
            fault = faults.pop(0) if faults else None
            if fault == "500":
                return self.answer(500, {"error": "InternalError"})
            if key and key in by_key:
                return self.answer(201, {"ticket": by_key[key]}, [("x-idempotency-lookup", "hit")])
            ticket = {"id": 35436 + len(tickets), "subject": ticket_in.get("subject"),
                      "description": (ticket_in.get("comment") or {}).get("body"),
                      "requester": ticket_in.get("requester"), "tags": ticket_in.get("tags", []),
                      "external_id": ticket_in.get("external_id"), "status": "new"}
            tickets.append(dict(ticket, _key=key, _auth=self.headers.get("Authorization")))
            if key:
                by_key[key] = ticket
        if fault == "timeout":
            time.sleep(5)
        self.answer(201, {"ticket": ticket}, [("x-idempotency-lookup", "miss")])


def main():
    global TOKEN
    ap = argparse.ArgumentParser()
    ap.add_argument("--token")
    TOKEN = ap.parse_args().token
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
