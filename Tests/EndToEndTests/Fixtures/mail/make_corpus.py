#!/usr/bin/env python3
"""Writes the incoming-mail corpus (*.eml here) that MailIncomingTests files one by one.

Each message is shaped after what a mail program is publicly known to write (its
User-Agent or X-Mailer, its boundaries, its choice of charset and transfer encoding),
written for these tests; none is copied from anywhere. Run it again after changing it;
the .eml files are committed so the tests do not depend on this script.
"""
import base64, os, quopri

here = os.path.dirname(os.path.abspath(__file__))
written = []

def b64(data: bytes) -> str:
    s = base64.b64encode(data).decode()
    return "\n".join(s[i:i + 76] for i in range(0, len(s), 76))

def qp(text: str, charset: str) -> str:
    return quopri.encodestring(text.encode(charset)).decode("ascii")

def write(name, text, crlf=False, raw=None):
    data = raw if raw is not None else text.encode("utf-8")
    if crlf:
        data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    with open(os.path.join(here, name + ".eml"), "wb") as f:
        f.write(data)
    written.append(name)

# --- Thunderbird: format=flowed UTF-8, 8bit or quoted-printable, CRLF as saved ---------
write("thunderbird-plain-8bit", """Message-ID: <3f1c2a9e-0001@example.de>
Date: Mon, 23 Nov 2026 09:15:00 +0100
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Content-Language: de-DE
To: Anna Schmidt <anna@firma.de>
From: Greta Schulz <greta.schulz@example.de>
Subject: =?UTF-8?Q?Angebot_f=C3=BCr_das_B=C3=BCro?=
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: 8bit

Hallo Frau Schmidt,

können Sie mir das Angebot bis Freitag schicken?

Viele Grüße
Greta Schulz
""", crlf=True)

write("thunderbird-reply-lead-number", """Message-ID: <3f1c2a9e-0002@firma.de>
Date: Mon, 23 Nov 2026 10:02:11 +0100
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Subject: Re: Bauantrag Lead 2 Rückfrage
To: Hans Groß <hans@gross-bau.de>
Cc: crm@firma.de
From: Anna Schmidt <anna@firma.de>
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: quoted-printable

""" + qp("Guten Tag Herr Groß,\n\nanbei die Unterlagen zum Bauantrag.\n\nMit freundlichen Grüßen\nAnna Schmidt\n", "utf-8"), crlf=True)

pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
write("thunderbird-attachment", """Message-ID: <3f1c2a9e-0003@example.de>
Date: Tue, 24 Nov 2026 08:00:00 +0100
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
To: anna@firma.de
From: Greta Schulz <greta.schulz@example.de>
Subject: Unterlagen
Content-Type: multipart/mixed;
 boundary="------------0aX9mQ2bZ7c8"

This is a multi-part message in MIME format.
--------------0aX9mQ2bZ7c8
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: 7bit

Anbei das unterschriebene Formular.

--------------0aX9mQ2bZ7c8
Content-Type: application/pdf; name="Formular 2026.pdf"
Content-Disposition: attachment; filename="Formular 2026.pdf"
Content-Transfer-Encoding: base64

""" + b64(pdf) + """

--------------0aX9mQ2bZ7c8--
""", crlf=True)

write("thunderbird-rfc2231-filename", """Message-ID: <3f1c2a9e-0004@mueller-gmbh.de>
Date: Tue, 24 Nov 2026 11:30:00 +0100
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
To: anna@firma.de
From: info@mueller-gmbh.de
Subject: Preisliste
Content-Type: multipart/mixed; boundary="------------Zk3PqL0w"

--------------Zk3PqL0w
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit

Die neue Preisliste liegt bei.
--------------Zk3PqL0w
Content-Type: application/pdf;
 name*=UTF-8''Preisliste%20M%C3%BCller.pdf
Content-Disposition: attachment;
 filename*0*=UTF-8''Preisliste%20M;
 filename*1*=%C3%BCller.pdf
Content-Transfer-Encoding: base64

""" + b64(pdf) + """
--------------Zk3PqL0w--
""", crlf=True)

# --- Outlook: Windows-1252 / ISO-8859-1 quoted-printable, AW:/WG: ----------------------
write("outlook-cp1252-qp", None, raw=("""Message-ID: <AM0PR01MB0001@eurprd01.prod.outlook.com>
Date: Wed, 25 Nov 2026 14:05:33 +0000
From: =?iso-8859-1?Q?M=FCller=2C_Klaus?= <info@mueller-gmbh.de>
To: "Schmidt, Anna" <anna@firma.de>
Subject: AW: Ihre Anfrage
Thread-Topic: Ihre Anfrage
Thread-Index: AQHXabc=
Content-Language: de-DE
X-MS-Has-Attach:
Content-Type: text/plain; charset="Windows-1252"
Content-Transfer-Encoding: quoted-printable
MIME-Version: 1.0

""" + qp("Sehr geehrte Frau Schmidt,\n\nder Preis betr\u00e4gt 1.250 \u20ac netto \u2013 \u201eAngebot g\u00fcltig bis 31.12.\u201c\n\nMit freundlichen Gr\u00fc\u00dfen\nKlaus M\u00fcller\n", "cp1252")).replace("\n", "\r\n").encode("ascii"))

write("outlook-latin1-qp-wg", None, raw=("""Message-ID: <DB9PR02MB0002@eurprd02.prod.outlook.com>
Date: Wed, 25 Nov 2026 15:40:00 +0100
From: Hans Gross <hans@gross-bau.de>
To: Anna Schmidt <anna@firma.de>
Subject: =?iso-8859-1?Q?WG:_Termin_f=FCr_die_Besichtigung?=
Content-Type: text/plain; charset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable
MIME-Version: 1.0

""" + qp("Hallo Anna,\n\nanbei die Terminvorschl\u00e4ge f\u00fcr n\u00e4chste Woche.\n\nGru\u00df Hans\n", "latin-1")).replace("\n", "\r\n").encode("ascii"))

write("outlook-alternative-explicit-number", None, raw=("""Message-ID: <VI1PR03MB0003@eurprd03.prod.outlook.com>
Date: Thu, 26 Nov 2026 09:00:00 +0100
From: Anna Schmidt <anna@firma.de>
To: Greta Schulz <greta.schulz@example.de>
Subject: =?iso-8859-1?Q?AW:_Best=E4tigung_[#1]?=
Content-Type: multipart/alternative;
\tboundary="_000_VI1PR03MB0003eurprd03prod_"
MIME-Version: 1.0

--_000_VI1PR03MB0003eurprd03prod_
Content-Type: text/plain; charset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable

""" + qp("Liebe Frau Schulz,\n\nhiermit best\u00e4tige ich den Termin am Montag.\n\nAnna Schmidt\n", "latin-1") + """
--_000_VI1PR03MB0003eurprd03prod_
Content-Type: text/html; charset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable

""" + qp("<html><head><style>p{margin:0}</style></head><body><p>Liebe Frau Schulz,</p><p>HTML-Fassung</p></body></html>\n", "latin-1") + """
--_000_VI1PR03MB0003eurprd03prod_--
""").replace("\n", "\r\n").encode("ascii"))

png = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4a30000000049454e44ae426082")
write("outlook-related-inline-image", """Message-ID: <AS8PR04MB0004@eurprd04.prod.outlook.com>
Date: Thu, 26 Nov 2026 16:20:00 +0100
From: "Gross, Hans" <hans@gross-bau.de>
To: Anna Schmidt <anna@firma.de>
Subject: WG: Lageplan
Content-Type: multipart/related;
\tboundary="_004_AS8PR04MB0004_";
\ttype="multipart/alternative"
MIME-Version: 1.0

--_004_AS8PR04MB0004_
Content-Type: multipart/alternative;
\tboundary="_000_AS8PR04MB0004_"

--_000_AS8PR04MB0004_
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

Hier der Lageplan als Bild.

--_000_AS8PR04MB0004_
Content-Type: text/html; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

<html><body><p>Hier der Lageplan als Bild.</p><img src=3D"cid:image001.png@01DB"></body></html>

--_000_AS8PR04MB0004_--

--_004_AS8PR04MB0004_
Content-Type: image/png; name="image001.png"
Content-Description: image001.png
Content-Disposition: inline; filename="image001.png"; size=70
Content-ID: <image001.png@01DB>
Content-Transfer-Encoding: base64

""" + b64(png) + """

--_004_AS8PR04MB0004_--
""", crlf=True)

# --- Gmail: multipart/alternative, base64 UTF-8 ----------------------------------------
gtext = "Bonjour,\n\nmerci pour le devis. Pouvons-nous parler jeudi à 14 h ?\n\nCordialement\nJean Dupont\n"
ghtml = "<div dir=\"ltr\">Bonjour,<br><br>merci pour le devis.<br></div>\n"
write("gmail-alternative-base64", """MIME-Version: 1.0
Date: Fri, 27 Nov 2026 10:11:12 +0100
Message-ID: <CAF=abc0005+xyz@mail.gmail.com>
Subject: Re: Devis
From: Jean Dupont <jean.dupont@example.fr>
To: anna@firma.de
Content-Type: multipart/alternative; boundary="000000000000a1b2c3d4e5f60005"

--000000000000a1b2c3d4e5f60005
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: base64

""" + b64(gtext.encode()) + """
--000000000000a1b2c3d4e5f60005
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: base64

""" + b64(ghtml.encode()) + """
--000000000000a1b2c3d4e5f60005--
""", crlf=True)

write("gmail-b-encoded-subject", """MIME-Version: 1.0
Date: Fri, 27 Nov 2026 11:00:00 +0100
Message-ID: <CAF=abc0006@mail.gmail.com>
Subject: =?UTF-8?B?""" + base64.b64encode("Rückruf wegen #2 – dringend".encode()).decode() + """?=
From: Unbekannt <someone@gmail.com>
To: crm@firma.de
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: base64

""" + b64("Bitte um Rückruf zum Bauvorhaben.\n".encode()) + "\n", crlf=True)

write("gmail-mixed-attachment", """MIME-Version: 1.0
Date: Fri, 27 Nov 2026 12:00:00 +0100
Message-ID: <CAF=abc0007@mail.gmail.com>
Subject: Vertrag
From: Greta Schulz <greta.schulz@example.de>
To: Anna Schmidt <anna@firma.de>
Content-Type: multipart/mixed; boundary="000000000000f0e0d0c0b0a00007"

--000000000000f0e0d0c0b0a00007
Content-Type: multipart/alternative; boundary="000000000000f0e0d0c0b0a00008"

--000000000000f0e0d0c0b0a00008
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: base64

""" + b64("Anbei der unterschriebene Vertrag.\n".encode()) + """
--000000000000f0e0d0c0b0a00008
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: base64

""" + b64("<div>Anbei der unterschriebene Vertrag.</div>\n".encode()) + """
--000000000000f0e0d0c0b0a00008--
--000000000000f0e0d0c0b0a00007
Content-Type: application/pdf; name="Vertrag.pdf"
Content-Disposition: attachment; filename="Vertrag.pdf"
Content-Transfer-Encoding: base64
X-Attachment-Id: f_abc123
Content-ID: <f_abc123>

""" + b64(pdf) + """
--000000000000f0e0d0c0b0a00007--
""", crlf=True)

write("gmail-emoji", """MIME-Version: 1.0
Date: Sat, 28 Nov 2026 08:08:08 +0100
Message-ID: <CAF=abc0009@mail.gmail.com>
Subject: =?UTF-8?B?""" + base64.b64encode("Danke 🎉".encode()).decode() + """?=
From: =?UTF-8?Q?Jean_Dupont?= <JEAN.DUPONT@example.fr>
To: anna@firma.de
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: base64

""" + b64("Merci beaucoup 🎉 à bientôt\n".encode()) + "\n", crlf=True)

# --- Apple Mail ---------------------------------------------------------------------------
write("apple-plain-qp", """From: Greta Schulz <greta.schulz@example.de>
Content-Type: text/plain;
\tcharset=utf-8
Content-Transfer-Encoding: quoted-printable
Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3774.600.62\\))
Subject: Kurze Frage
Message-Id: <A1B2C3D4-0010-4E5F-8A9B-0123456789AB@example.de>
Date: Sat, 28 Nov 2026 18:30:00 +0100
To: Anna Schmidt <anna@firma.de>
X-Mailer: Apple Mail (2.3774.600.62)

""" + qp("Liebe Anna,\n\ngilt das Angebot auch für die Filiale in Köln? Eine sehr lange Zeile, die Apple Mail mit einem weichen Umbruch teilt, weil sie länger als sechsundsiebzig Zeichen ist.\n\nGreta\n", "utf-8"))

write("apple-mixed-inline-image", """From: info@mueller-gmbh.de
Content-Type: multipart/mixed;
\tboundary="Apple-Mail=_7F3E2D1C-0011-4B5A-9C8D-FEDCBA987654"
Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3774.600.62\\))
Subject: Foto vom Lager
Message-Id: <F0E1D2C3-0011@mueller-gmbh.de>
Date: Sun, 29 Nov 2026 12:00:00 +0100
To: anna@firma.de

--Apple-Mail=_7F3E2D1C-0011-4B5A-9C8D-FEDCBA987654
Content-Transfer-Encoding: 7bit
Content-Type: text/plain;
\tcharset=us-ascii

Hier das Foto:

--Apple-Mail=_7F3E2D1C-0011-4B5A-9C8D-FEDCBA987654
Content-Disposition: inline;
\tfilename=Lager.png
Content-Type: image/png;
\tx-unix-mode=0644;
\tname="Lager.png"
Content-Transfer-Encoding: base64

""" + b64(png) + """
--Apple-Mail=_7F3E2D1C-0011-4B5A-9C8D-FEDCBA987654
Content-Transfer-Encoding: 7bit
Content-Type: text/plain;
\tcharset=us-ascii

Gruss, Klaus
--Apple-Mail=_7F3E2D1C-0011-4B5A-9C8D-FEDCBA987654--
""")

write("apple-html-only", """From: Jean Dupont <jean.dupont@example.fr>
Content-Type: text/html;
\tcharset=utf-8
Content-Transfer-Encoding: 7bit
Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3774.600.62\\))
Subject: Preis
Message-Id: <0012-APPLE@example.fr>
Date: Sun, 29 Nov 2026 13:00:00 +0100
To: anna@firma.de

<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><style>body{font:12px}</style><script>alert(1)</script></head><body>Sch&ouml;ne Gr&uuml;&szlig;e,<br>der Preis: 5&nbsp;&euro; &amp; mehr<p>Zweiter&#160;Absatz &#x2013; Ende</p><!-- kommentar --></body></html>
""")

# --- Mailing list and automatic replies ----------------------------------------------------
write("list-post-unmatched", """Message-ID: <list-0013@lists.example.org>
Date: Mon, 30 Nov 2026 07:00:00 +0100
From: Vertriebsnews <news@lists.example.org>
To: vertrieb@lists.example.org
Subject: [Vertrieb] Neuigkeiten 2026
List-Id: Vertriebsnews <vertrieb.lists.example.org>
List-Unsubscribe: <mailto:vertrieb-leave@lists.example.org>
Precedence: list
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Die Termine fuer 2026 stehen fest.
""")

write("list-post-from-lead", """Message-ID: <list-0014@lists.example.org>
Date: Mon, 30 Nov 2026 08:00:00 +0100
From: "Greta Schulz via Vertriebsnews" <news@lists.example.org>
Reply-To: Greta Schulz <greta.schulz@example.de>
To: vertrieb@lists.example.org
Cc: Greta Schulz <greta.schulz@example.de>
Subject: [Vertrieb] Frage zur Messe
List-Id: Vertriebsnews <vertrieb.lists.example.org>
Precedence: list
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Wer ist auf der Messe?
""")

write("autoreply-out-of-office", """Message-ID: <ooo-0015@mueller-gmbh.de>
Date: Mon, 30 Nov 2026 09:00:00 +0100
From: info@mueller-gmbh.de
To: anna@firma.de
Subject: Automatische Antwort: Angebot Lead 3 
Auto-Submitted: auto-replied
X-Auto-Response-Suppress: All
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit

Ich bin bis 7. Dezember nicht im Büro.
""")

write("autoreply-bounce-dsn", """Message-ID: <dsn-0016@mx.firma.de>
Date: Mon, 30 Nov 2026 09:30:00 +0100
From: Mail Delivery System <MAILER-DAEMON@mx.firma.de>
To: crm@firma.de
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="DSN.0016/mx.firma.de"

This is a MIME-encapsulated message.

--DSN.0016/mx.firma.de
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

--DSN.0016/mx.firma.de
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.firma.de
Final-Recipient: rfc822; nobody@nowhere.example
Action: failed
Status: 5.1.1

--DSN.0016/mx.firma.de
Content-Description: Undelivered Message
Content-Type: message/rfc822

From: crm@firma.de
To: nobody@nowhere.example
Subject: Test

Test.

--DSN.0016/mx.firma.de--
""")

# --- The matching rules ---------------------------------------------------------------------
def simple(name, mid, sender, to, subject, body, extra=""):
    write(name, f"""Message-ID: <{mid}>
Date: Tue, 01 Dec 2026 10:00:00 +0100
From: {sender}
To: {to}
Subject: {subject}
{extra}MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

{body}
""")

simple("rule-bracket-defeats-number", "rule-0017@nowhere.example", "stranger@nowhere.example", "crm@firma.de",
       "Auftrag 2] erledigt", "Die Nummer mit Klammer ist keine Lead-Nummer.")
simple("rule-two-numbers-ambiguous", "rule-0018@nowhere.example", "stranger@nowhere.example", "crm@firma.de",
       "Lead 1 und Lead 2", "Zwei Leads in einem Betreff.")
simple("rule-explicit-wins", "rule-0019@nowhere.example", "stranger@nowhere.example", "crm@firma.de",
       "#3 Angebot für 2 Plätze", "Die Raute gewinnt.")
simple("rule-unknown-number-then-address", "rule-0020@example.de", "Greta Schulz <greta.schulz@example.de>", "crm@firma.de",
       "XYZ Lead 11111", "Lead 11111 gibt es nicht; die Adresse entscheidet.")
simple("rule-shared-address-ambiguous", "rule-0021@shared.example", "office@shared.example", "crm@firma.de",
       "Anfrage", "Zwei Leads haben diese Adresse.")
simple("rule-stranger-unmatched", "rule-0022@nowhere.example", "Fremder <stranger@nowhere.example>", "crm@firma.de",
       "Hallo", "Niemand kennt mich.")
simple("rule-group-and-comments", "rule-0023@firma.de", "bob@firma.de (Bob Brenner)",
       "Vertrieb: anna@firma.de, \"Groß, Hans\" <hans@gross-bau.de>;", "Treffen", "Gruppe, Kommentar, Anführungszeichen.")
simple("rule-uppercase-address", "rule-0024@gross-bau.de", "HANS@GROSS-BAU.DE", "crm@firma.de",
       "Rueckmeldung", "Grossbuchstaben in der Adresse.")
simple("suppressed-sender", "supp-0025@example.org", "blocked@example.org", "crm@firma.de",
       "Lead 1", "Ich möchte nicht kontaktiert werden.")

# --- Broken and unusual ---------------------------------------------------------------------
write("broken-missing-final-boundary", """Message-ID: <broken-0026@example.de>
Date: Tue, 01 Dec 2026 11:00:00 +0100
From: greta.schulz@example.de
To: anna@firma.de
Subject: Abgeschnitten
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="xyz"

--xyz
Content-Type: text/plain; charset=utf-8

Die Nachricht endet ohne Schlussgrenze.
""")

write("broken-no-boundary-parameter", """Message-ID: <broken-0027@example.de>
Date: Tue, 01 Dec 2026 11:05:00 +0100
From: greta.schulz@example.de
To: anna@firma.de
Subject: Ohne Grenze
MIME-Version: 1.0
Content-Type: multipart/mixed

--xyz
Content-Type: text/plain

Kein boundary-Parameter.
--xyz--
""")

write("broken-boundary-never-occurs", """Message-ID: <broken-0028@example.de>
Date: Tue, 01 Dec 2026 11:10:00 +0100
From: greta.schulz@example.de
To: anna@firma.de
Subject: Falsche Grenze
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="abc"

--xyz
Content-Type: text/plain

Die Grenze abc kommt nie vor.
--xyz--
""")

write("broken-sloppy-base64", """Message-ID: <broken-0029@example.fr>
Date: Tue, 01 Dec 2026 11:15:00 +0100
From: jean.dupont@example.fr
To: anna@firma.de
Subject: Base64 ohne Polster
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64

""" + "\n".join(["  " + base64.b64encode("Grüße aus Paris!".encode()).decode().rstrip("=") + " !!"]) + "\n")

write("broken-unknown-charset", """Message-ID: <broken-0030@gross-bau.de>
Date: Tue, 01 Dec 2026 11:20:00 +0100
From: hans@gross-bau.de
To: anna@firma.de
Subject: Zeichensatz
MIME-Version: 1.0
Content-Type: text/plain; charset="x-mac-roman-unknown"
Content-Transfer-Encoding: 8bit

Unbekannter Zeichensatz, aber UTF-8: Größe.
""")

write("broken-mbox-from-line", """From greta.schulz@example.de Tue Dec  1 11:25:00 2026
Message-ID: <broken-0031@example.de>
Date: Tue, 01 Dec 2026 11:25:00 +0100
From: greta.schulz@example.de
To: anna@firma.de
Subject: Zustellung mit Umschlagzeile
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

procmail liefert mit From-Zeile.
""")

write("broken-no-message-id", """Date: Tue, 01 Dec 2026 11:30:00 +0100
From: greta.schulz@example.de
To: anna@firma.de
Subject: Ohne Message-ID

Keine Message-ID, kein MIME-Version.
""")

write("broken-raw-utf8-header", """Message-ID: <broken-0033@mueller-gmbh.de>
Date: Tue, 01 Dec 2026 11:35:00 +0100
From: Klaus Müller <info@mueller-gmbh.de>
To: anna@firma.de
Subject: Grüße ungekodiert
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Umlaute roh im Kopf.
""")

write("broken-odd-boundary-preamble", """Message-ID: <broken-0034@example.fr>
Date: Tue, 01 Dec 2026 11:40:00 +0100
From: jean.dupont@example.fr
To: anna@firma.de
Subject: Seltsame Grenze
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="=_-+()x y"

Vorspann, den niemand liest.
--=_-+()x yz keine Grenze
--=_-+()x y   
Content-Type: text/plain; charset=utf-8

Text mit Grenze, die Leerzeichen und Klammern hat.
--=_-+()x y
Content-Type: text/html; charset=utf-8

<p>HTML</p>
--=_-+()x y--
Nachspann, den niemand liest.
""")

with open(os.path.join(here, "not-a-message.eml"), "wb") as f:
    f.write(b"\x00\x01\x02 this is not a mail message\n\nat all\n")
written.append("not-a-message")

print(len(written), "messages")
