#!/usr/bin/env python3
"""An SMTP server for the end-to-end tests of `leads remind --due --mail`.

Listens on 127.0.0.1 on a port the system picks, writes that port to DIR/port once it
accepts connections, and writes every message it receives to DIR/NNN.eml (the bytes as
received) with DIR/NNN.json (the envelope). Runs until it is sent SIGTERM.

    smtp_server.py DIR [--reject ADDRESS]... [--defer ADDRESS]...

--reject answers RCPT TO for ADDRESS with a permanent 550, --defer with a temporary 451.
Uses aiosmtpd (PyPI), which .ci/run installs.
"""
import argparse
import asyncio
import json
import os
import signal

from aiosmtpd.smtp import SMTP


class Recorder:
    def __init__(self, directory, reject, defer):
        self.directory = directory
        self.reject = {a.lower() for a in reject}
        self.defer = {a.lower() for a in defer}
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject:
            return "550 5.1.1 <%s>: recipient rejected by the test" % address
        if address.lower() in self.defer:
            return "451 4.3.0 <%s>: try again later (the test)" % address
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.directory, "%03d" % self.count)
        # The envelope first, the message last: the test waits for the .eml.
        with open(base + ".json.tmp", "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos}, f)
        os.rename(base + ".json.tmp", base + ".json")
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 2.0.0 Message accepted"


async def main():
    # The test runner blocks SIGTERM in its threads, and a child inherits the mask:
    # without this, the test could not stop the server.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("--reject", action="append", default=[])
    parser.add_argument("--defer", action="append", default=[])
    args = parser.parse_args()
    handler = Recorder(args.directory, args.reject, args.defer)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler, hostname="smtp.test"), host="127.0.0.1", port=0)
    port = server.sockets[0].getsockname()[1]
    with open(os.path.join(args.directory, "port.tmp"), "w") as f:
        f.write(str(port))
    os.rename(os.path.join(args.directory, "port.tmp"), os.path.join(args.directory, "port"))
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    await stop.wait()
    server.close()
    await server.wait_closed()


asyncio.run(main())
