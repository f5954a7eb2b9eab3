#!/usr/bin/env python3
"""Reads the messages smtp_server.py stored in DIR with Python's `email` package, an
MIME parser independent of leads, and prints them as JSON: one object per message, in
the order received, with the envelope, every header decoded, the raw header lines, the
decoded body and any defects the parser found.

    read_messages.py DIR
"""
import email
import email.policy
import email.utils
import json
import os
import sys

directory = sys.argv[1]
out = []
for name in sorted(n for n in os.listdir(directory) if n.endswith(".eml")):
    raw = open(os.path.join(directory, name), "rb").read()
    envelope = json.load(open(os.path.join(directory, name[:-4] + ".json")))
    message = email.message_from_bytes(raw, policy=email.policy.default)
    head = raw.split(b"\r\n\r\n", 1)[0]

    def mailboxes(field):
        header = message[field]
        return [{"name": a.display_name, "address": a.addr_spec} for a in header.addresses] if header else []

    defects = [type(d).__name__ for d in message.defects]
    for field in message.keys():
        defects += ["%s: %s" % (field, type(d).__name__) for d in getattr(message[field], "defects", [])]
    out.append({
        "file": name,
        "mail_from": envelope["mail_from"],
        "rcpt_tos": envelope["rcpt_tos"],
        "fields": list(message.keys()),
        "from": mailboxes("From"),
        "to": mailboxes("To"),
        "subject": str(message["Subject"]),
        "date": int(email.utils.parsedate_to_datetime(message["Date"]).timestamp()),
        "raw_date": str(message["Date"]),
        "message_id": str(message["Message-ID"]),
        "mime_version": str(message["MIME-Version"]),
        "content_type": message.get_content_type(),
        "charset": message.get_content_charset(),
        "transfer_encoding": str(message["Content-Transfer-Encoding"]),
        "auto_submitted": str(message["Auto-Submitted"]),
        "header_lines": [line.decode("ascii") for line in head.split(b"\r\n")],
        "body_lines": [line.decode("ascii") for line in raw.split(b"\r\n\r\n", 1)[1].split(b"\r\n")],
        "body": message.get_content(),
        "defects": defects,
    })
json.dump(out, sys.stdout, ensure_ascii=False)
