"""Writes the difficult-mail corpus (run once; the .eml files are committed).

Each message is bytes as a mail server would hand them over, broken in one way.
``expected.toml`` says what each must do; ``tests/core/test_mail_corpus.py``
feeds them, in name order, through the same code as ``regentra mail import``.
"""

from __future__ import annotations

import base64
from pathlib import Path

HERE = Path(__file__).parent
H = (
    "From: Pat Doe <pat@acme.example>\r\nTo: help@desk.example\r\n"
    "Date: Thu, 26 Nov 2026 09:00:00 +0000\r\n"
)


def msg(
    mid: str, subject: str, body: str = "Body text.", extra: str = "", ctype: str = ""
) -> bytes:
    ct = ctype or "Content-Type: text/plain; charset=utf-8\r\n"
    return (
        f"{H}Subject: {subject}\r\nMessage-ID: <{mid}@corpus>\r\n{extra}{ct}\r\n{body}\r\n"
    ).encode()


CASES: dict[str, tuple[bytes, str]] = {}


def case(name: str, raw: bytes, outcome: str) -> None:
    CASES[name] = (raw, outcome)


case("01-plain", msg("c01", "Printer offline on floor 2"), "created")
case("02-duplicate-of-plain", msg("c01", "Printer offline on floor 2"), "duplicate")
case(
    "03-reply-in-reply-to",
    msg("c03", "Re: Printer", "still off", "In-Reply-To: <c01@corpus>\r\n"),
    "reply",
)
case("04-reply-subject-token", msg("c04", "Re: whatever [#1001]", "any news?"), "reply")
case("05-no-message-id", (H + "Subject: No id\r\n\r\nhello\r\n").encode(), "created")
case(
    "06-no-subject", (H + "Message-ID: <c06@corpus>\r\n\r\nno subject here\r\n").encode(), "created"
)
case(
    "07-no-from",
    b"To: help@desk.example\r\nSubject: Who am I\r\nMessage-ID: <c07@corpus>\r\n\r\nanon\r\n",
    "created",
)
case(
    "08-8bit-utf8-headers",
    H.encode()
    + "Subject: Drucker fällt aus – bitte\r\nMessage-ID: <c08@corpus>\r\n\r\nÄrger\r\n".encode(),
    "created",
)
case(
    "09-8bit-latin1-subject",
    H.encode()
    + b"Subject: Caf\xe9 Wi-Fi d\xe9faillant\r\nMessage-ID: <c09@corpus>\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\nCaf\xe9\r\n",
    "created",
)
case("10-rfc2047-subject", msg("c10", "=?utf-8?b?5omT5Y2w5py65rKh5pyJ57q4?="), "created")
case("11-broken-rfc2047", msg("c11", "=?utf-8?q?unterminated_word"), "created")
case(
    "12-unknown-charset",
    msg("c12", "Klingon", "Qapla'", ctype="Content-Type: text/plain; charset=x-klingon-9\r\n"),
    "created",
)
case(
    "13-lying-charset",
    H.encode()
    + b"Subject: Says ascii\r\nMessage-ID: <c13@corpus>\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n\xc3\xa9t\xe9 \xff\r\n",
    "created",
)
case(
    "14-html-only",
    msg(
        "c14",
        "HTML only",
        "<html><body><h1>Hello</h1><p>The <b>VPN</b> is down.</p></body></html>",
        ctype="Content-Type: text/html; charset=utf-8\r\n",
    ),
    "created",
)
case(
    "15-html-with-script",
    msg(
        "c15",
        "Script",
        "<p>Visible</p><script>alert('x')</script><style>p{}</style>",
        ctype="Content-Type: text/html\r\n",
    ),
    "created",
)
ALT = "--a\r\nContent-Type: text/plain\r\n\r\nplain part\r\n--a\r\nContent-Type: text/html\r\n\r\n<p>html part</p>\r\n--a--"
case(
    "16-multipart-alternative",
    msg(
        "c16",
        "Alternative",
        ALT,
        ctype='MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="a"\r\n',
    ),
    "created",
)
case(
    "17-base64-body",
    msg(
        "c17",
        "Base64",
        base64.b64encode("Grüße aus Köln".encode()).decode(),
        ctype="Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n",
    ),
    "created",
)
case(
    "18-quoted-printable",
    msg(
        "c18",
        "QP",
        "caf=C3=A9 =\r\nsoft break",
        ctype="Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n",
    ),
    "created",
)
case(
    "19-broken-base64",
    msg(
        "c19",
        "Bad b64",
        "!!!not base64@@@",
        ctype="Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n",
    ),
    "created",
)
ATT = (
    "--m\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--m\r\nContent-Type: application/pdf\r\n"
    'Content-Disposition: attachment; filename="scan.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
    + base64.b64encode(b"%PDF-1.4 pretend").decode()
    + "\r\n--m--"
)
case(
    "20-attachment",
    msg("c20", "With a scan", ATT, ctype='Content-Type: multipart/mixed; boundary="m"\r\n'),
    "created",
)
TRAV = ATT.replace('filename="scan.pdf"', 'filename="../../etc/passwd"')
case(
    "21-attachment-path-traversal",
    msg("c21", "Traversal", TRAV, ctype='Content-Type: multipart/mixed; boundary="m"\r\n'),
    "created",
)
case(
    "22-ten-megabytes",
    msg("c22", "Huge log", "log line 0123456789 abcdefghij\r\n" * 330_000),
    "created",
)
FWD = "--f\r\nContent-Type: text/plain\r\n\r\nForwarding this\r\n--f\r\nContent-Type: message/rfc822\r\n\r\nFrom: x@y.example\r\nSubject: inner\r\nMessage-ID: <inner@x>\r\n\r\ninner body\r\n--f--"
case(
    "23-nested-rfc822",
    msg("c23", "Fwd: inner", FWD, ctype='Content-Type: multipart/mixed; boundary="f"\r\n'),
    "created",
)
case(
    "24-missing-closing-boundary",
    msg(
        "c24",
        "No end",
        "--z\r\nContent-Type: text/plain\r\n\r\ncut off",
        ctype='Content-Type: multipart/mixed; boundary="z"\r\n',
    ),
    "created",
)
case(
    "25-multipart-without-boundary",
    msg("c25", "No boundary", "just text", ctype="Content-Type: multipart/mixed\r\n"),
    "created",
)
case("26-binary-garbage", bytes(range(256)) * 20, "created")
case("27-empty-body", msg("c27", "Empty", ""), "created")
case(
    "28-headers-only", (H + "Subject: Only headers\r\nMessage-ID: <c28@corpus>").encode(), "created"
)
case("29-very-long-subject", msg("c29", "Long " + "x" * 10_000), "created")
case(
    "30-terminal-escapes",
    msg("c30", "\x1b[2J\x1b[31mCLEAR\x1b]0;pwned\x07", "\x1b[5mblink"),
    "created",
)
case("31-rich-markup", msg("c31", "[bold red]urgent[/] [link=x]y[/link]"), "created")
case(
    "32-auto-replied",
    msg("c32", "Out of office", extra="Auto-Submitted: auto-replied\r\n"),
    "skipped",
)
case(
    "33-auto-generated", msg("c33", "Report", extra="Auto-Submitted: auto-generated\r\n"), "skipped"
)
case("34-precedence-bulk", msg("c34", "Newsletter", extra="Precedence: bulk\r\n"), "skipped")
case("35-precedence-list", msg("c35", "List mail", extra="Precedence: list\r\n"), "skipped")
case("36-empty-return-path", b"Return-Path: <>\r\n" + msg("c36", "Null sender"), "skipped")
case(
    "37-our-loop-header",
    msg("c37", "Re: [#1001]", extra="X-Regentra-Loop: help@desk.example\r\n"),
    "skipped",
)
case(
    "38-from-our-own-address",
    msg(
        "c38",
        "Me",
    ).replace(b"pat@acme.example", b"help@desk.example"),
    "skipped",
)
REPORT = (
    "--r\r\nContent-Type: text/plain\r\n\r\nDelivery failed: mailbox full\r\n--r\r\n"
    "Content-Type: message/delivery-status\r\n\r\nStatus: 5.2.2\r\n--r\r\n"
    "Content-Type: text/rfc822-headers\r\n\r\nMessage-ID: <out-x@desk.example>\r\n--r--"
)
case(
    "39-bounce-report",
    msg(
        "c39",
        "Undelivered Mail",
        REPORT,
        ctype='Content-Type: multipart/report; report-type=delivery-status; boundary="r"\r\n',
    ).replace(b"Pat Doe <pat@acme.example>", b"MAILER-DAEMON@mx.example"),
    "skipped",
)
case(
    "40-bounce-plain-from-postmaster",
    msg("c40", "Returned mail").replace(b"Pat Doe <pat@acme.example>", b"postmaster@mx.example"),
    "skipped",
)
case("41-x-autoreply", msg("c41", "Away", extra="X-Autoreply: yes\r\n"), "skipped")
case(
    "42-auto-submitted-no",
    msg("c42", "A person, really", extra="Auto-Submitted: no\r\n"),
    "created",
)
case("43-mixed-line-endings", msg("c43", "Mixed", "line one\nline two\r\nline three\r"), "created")
case("44-nul-bytes", msg("c44", "Nul", "before\x00after"), "created")
case(
    "45-utf16-body",
    H.encode()
    + b"Subject: UTF-16\r\nMessage-ID: <c45@corpus>\r\nContent-Type: text/plain; charset=utf-16\r\n\r\n"
    + "Hallo Welt".encode("utf-16"),
    "created",
)
case(
    "46-invalid-message-id",
    msg("c46", "Odd id").replace(b"<c46@corpus>", b"not-an-id at all"),
    "created",
)
case(
    "47-many-from-addresses",
    msg("c47", "Two senders").replace(b"Pat Doe <pat@acme.example>", b"a@x.example, b@y.example"),
    "created",
)
case("48-bidi-override-subject", msg("c48", "invoice\u202efdp.exe"), "created")


def main() -> None:
    lines = ["# What each message in this folder must do (see make_corpus.py)."]
    for name, (raw, outcome) in CASES.items():
        (HERE / f"{name}.eml").write_bytes(raw)
        lines.append(f'"{name}" = "{outcome}"')
    (HERE / "expected.toml").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
