#!/usr/bin/env python3
"""A real SMTP server for socq's handoff tests: Debian's python3-aiosmtpd
(not written by socq's authors) delivering into a Maildir.

    smtp_server.py --maildir DIR [--cert PEM --key PEM] [--auth-user USER]

Prints the bound port on the first line (flushed), serves until SIGTERM.
With --cert/--key it offers STARTTLS and refuses mail before it
(require_starttls). With --auth-user, AUTH PLAIN/LOGIN is required and the
password is read from $SMTP_TEST_PASSWORD.
"""
import argparse
import os
import signal
import socket
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--maildir", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--auth-user")
    a = ap.parse_args()
    kwargs = {}
    if a.cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.cert, a.key)
        kwargs.update(tls_context=ctx, require_starttls=True)
    if a.auth_user:
        password = os.environ["SMTP_TEST_PASSWORD"].encode()

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login == a.auth_user.encode() and auth_data.password == password
            return AuthResult(success=ok)

        kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=bool(a.cert))
    for sub in ("tmp", "new", "cur"):  # a Maildir, even in an existing directory
        os.makedirs(os.path.join(a.maildir, sub), exist_ok=True)
    port = free_port()
    ctl = Controller(Mailbox(a.maildir), hostname="127.0.0.1", port=port, server_hostname="localhost", **kwargs)
    ctl.start()
    print(port, flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    ctl.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
