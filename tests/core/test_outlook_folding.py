"""Outlook's replies folded as Thunderbird's and Gmail's are: the header block with no
separator line, its localised forms, its separator lines, its app footer, and the
legal disclaimer after a customer's text. The customer's own words stay shown.

Where the bodies come from (each kept as the project published it, or written in
the exact shape Outlook produces where no public fixture has that language):

- ``TALON_OUTLOOK``: mailgun/talon, tests/fixtures/standard_replies/outlook.eml, its
  text/plain part; ``TALON_OUTLOOK_HTML`` is the same file's text/html part (Word's
  HTML, as Outlook desktop sends it), shortened to its body. Apache License 2.0.
- ``TALON_GERMAN``, ``TALON_FRENCH``, ``TALON_SWEDISH``, ``TALON_DANISH``,
  ``TALON_BOLD``: mailgun/talon, tests/text_quotations_test.py
  (test_german_from_block, test_french_multiline_from_block,
  test_swedish_from_block, test_danish_from_block, test_bold_from_block). Apache
  License 2.0.
- ``ZAPIER_NO_DELIMITER``, ``ZAPIER_OUTLOOK_IOS``, ``ZAPIER_CAUTION``:
  zapier/email-reply-parser, test/emails/email_headers_no_delimiter.txt,
  test/emails/outlook.txt and test/emails/caution.txt (its disclaimer kept, two of
  its long paragraphs shortened). MIT License.
- ``OWA_HTML``: Outlook on the web's reply markup (``<hr>`` then ``divRplyFwdMsg``
  with bold From/Sent/To/Cc/Subject), in the shape public mailing-list archives
  keep it (lists.freedesktop.org amd-gfx, lists.ettus.com usrp-users); the words
  are ours.
- ``SPANISH``, ``DUTCH``, ``ITALIAN``, ``FRENCH_ORIGINAL``, ``OUTLOOK_IOS_REPLY``:
  written by us with the labels Outlook writes in those languages (De/Enviado
  el/Para/CC/Asunto; Van/Verzonden/Aan/Onderwerp; Da/Inviato/A/Oggetto;
  "-----Message d'origine-----"; Outlook for iOS's underscore line).
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage

import pytest

from regentra_core.channels.mail import parse_mail
from regentra_core.channels.quoting import fold

TALON_OUTLOOK = """Hello

From: xxx@xxx.mailgun.org [mailto:xxx@xxx.mailgun.org]
Sent: March-09-12 4:22 PM
To: Dan Le
Subject: The manager has commented on your Loop

Hi dan.le@example.com<mailto:dan.le@example.com>,

The manager's comment:
"Hello Allan! Did you ask for some MIME? "

Loop details:

xxx at Dan
I'm not happy
""

Your Loop is here<http://dev.xxx.com/loop/view/4f50f20e160839c95a000bb3?_uid=4f3541a7ac63e655040008e3>.

We will be in touch again with any further updates,

xxx

If you did not sign up to receive emails from us you can use the link below to unsubscribe. We apologize for any inconvenience.

Unsubscribe<http://dev.xxx.com/user/unsubscribe/dan.le@example.com?verify=4a400554148256338956101abdf06406>
"""  # noqa: E501

TALON_GERMAN = """Allo! Follow up MIME!

Von: somebody@example.com
Gesendet: Dienstag, 25. November 2014 14:59
An: Somebody
Betreff: The manager has commented on your Loop

Blah-blah-blah
"""

TALON_FRENCH = """Lorem ipsum

De : Brendan xxx [mailto:brendan.xxx@xxx.com]
Envoyé : vendredi 23 janvier 2015 16:39
À : Camille XXX
Objet : Follow Up

Blah-blah-blah
"""

TALON_SWEDISH = """Allo! Follow up MIME!
Från: Anno Sportel [mailto:anno.spoel@hsbcssad.com]
Skickat: den 26 augusti 2015 14:45
Till: Isacson Leiff
Ämne: RE: Week 36

Blah-blah-blah
"""

TALON_DANISH = """Allo! Follow up MIME!

Fra: somebody@example.com
Sendt: 19. march 2011 12:10
Til: Somebody
Emne: The manager has commented on your Loop

Blah-blah-blah
"""

TALON_BOLD = """Hi

  *From:* bob@example.com [mailto:
  bob@example.com]
  *Sent:* Wednesday, June 27, 2012 3:05 PM
  *To:* travis@example.com
  *Subject:* Hello

"""

ZAPIER_NO_DELIMITER = """And another reply!

From: Dan Watson [mailto:user@host.com]
Sent: Monday, November 26, 2012 10:48 AM
To: Watson, Dan
Subject: Re: New Issue

A reply

--
Sent from my iPhone

On Nov 26, 2012, at 10:27 AM, "Watson, Dan" <user@host2.com> wrote:
This is a message.
With a second line.
"""

ZAPIER_OUTLOOK_IOS = """Dear Team,

Hello

What is the best way to clear a Riak bucket of all key, values after
running a test?

My number is: +00 0000 000 000
Get Outlook for iOS<https://outlook.com/mobile>
"""

ZAPIER_CAUTION = """CAUTION: This email originated from outside of this company. Do not click links or open attachments unless you recognize the sender and know the content is safe.



Hi lads's Team,


Below THIS and THAT file for 31st August 2019 is still not available  on "lads.lads.com" could you please check and advise us ASAP.

pfg.Zip
pfg02.Zip


job at our end.


Thanks,
___________________
HAHA LOLO
Markets Application Production Services  - Reference Data
ROLE
Bank of LADS - LADS LADS
BUILDING 5B,HAHA - THIS THAT, COUNTRY
Direct: (+00)00-000-0000   Mobile: (+00)000000
______________________________________________________________________________

To report an issue or request for technical assistance with Product Reference Data applications, please send email to LADS SUPPORT. This is the only OO being monitored by the Product Reference Data support team. No other DGs or Mailboxes are being actively monitored.
Please make a note of this to avoid any delays.

Escalation: LADS MANAGEMENT
___________________________________________________________

----------------------------------------------------------------------
This message w/attachments (message) is intended solely for the use of the intended recipient(s) and may contain information that is privileged, confidential or proprietary.  If you are not an intended recipient, please notify the sender, and then please delete and destroy all copies and attachments, and be advised that any review or dissemination of, or the taking of any action in reliance on, the information contained in or attached to this message is prohibited.
-----------------------------------------

lads's monitors email communications through its networks for regulatory compliance purposes and to protect its customers, employees and business and where allowed to do so by applicable law. The information contained in this e-mail message, and any attachment thereto, is confidential and may not be disclosed without our express permission.

-----------------------------------------
"""  # noqa: E501

SPANISH = """Sigue sin funcionar la impresora de recepción, ya la reinicié dos veces.

Saludos,
Lucía Fernández
Administración | Talleres Norte S.L.

De: Soporte Acme <help@desk.example>
Enviado el: martes, 1 de diciembre de 2026 9:12
Para: Lucía Fernández <lucia@talleres.example>
CC: oficina@talleres.example
Asunto: RE: Impresora sin conexión [#1044]

Hola Lucía, por favor reinicie la impresora.
"""

DUTCH = """De VPN valt nog steeds elke tien minuten weg.

Met vriendelijke groet,
Joost de Vries

Van: Acme Support <help@desk.example>
Verzonden: maandag 30 november 2026 16:05
Aan: Joost de Vries <joost@bakkerij.example>
Onderwerp: RE: VPN verbroken [#1045]

Beste Joost, kunt u de VPN-client opnieuw starten?
"""

ITALIAN = """Il server dei file è di nuovo irraggiungibile.

Da: Acme Support <help@desk.example>
Inviato: lunedì 30 novembre 2026 10:00
A: Marco Rossi <marco@studio.example>
Oggetto: R: Server non raggiungibile [#1046]

Ciao Marco, riavvia il server per favore.
"""

FRENCH_ORIGINAL = """Toujours pas de connexion au serveur.

-----Message d'origine-----
De : Acme Support <help@desk.example>
Envoyé : lundi 30 novembre 2026 10:00
À : Claire Martin <claire@cabinet.example>
Objet : RE: Serveur injoignable [#1047]

Bonjour Claire, pouvez-vous redémarrer le serveur ?
"""

OUTLOOK_IOS_REPLY = """The shared calendar still shows last week's bookings only.

Get Outlook for iOS<https://aka.ms/o0ukef>
________________________________
From: Acme Support <help@desk.example>
Sent: Monday, November 30, 2026 4:05:11 PM
To: Priya Shah <priya@clinic.example>
Subject: RE: Shared calendar not syncing [#1048]

Hi Priya, please remove and add the calendar again.
"""

DISCLAIMED = """The label printer in dispatch prints blank labels since this morning.

Regards,
Tom Becker
Dispatch | Northwind Logistics Ltd

This email and any attachments to it are confidential and are intended solely for
the use of the individual to whom it is addressed. If you are not the intended
recipient, please notify the sender and delete this email.

From: Acme Support <help@desk.example>
Sent: Monday, November 30, 2026 4:05 PM
To: Tom Becker <tom@northwind.example>
Subject: RE: Label printer [#1049]

Hi Tom, please reinstall the driver.
"""

NOTICE = """Please reset the password for the scanner account.

Thanks
Anna

CONFIDENTIALITY NOTICE: The contents of this email message and any attachments are
intended solely for the addressee(s) and may contain confidential and/or privileged
information.
"""

GERMAN_DISCLAIMER = """Der Drucker im Lager druckt wieder nichts.

Mit freundlichen Grüßen
Jana Weber

Diese E-Mail enthält vertrauliche und/oder rechtlich geschützte Informationen. Wenn Sie
nicht der richtige Adressat sind, informieren Sie bitte sofort den Absender.
"""

OWA_HTML = """<html><head><style type="text/css" style="display:none;"> P {margin-top:0;margin-bottom:0;} </style></head><body dir="ltr">
<div style="font-family: Calibri, Arial, Helvetica, sans-serif; font-size: 12pt; color: rgb(0, 0, 0);">Still no dial tone on the reception phone after the restart.</div>
<div style="font-family: Calibri, Arial, Helvetica, sans-serif; font-size: 12pt; color: rgb(0, 0, 0);"><br></div>
<div style="font-family: Calibri, Arial, Helvetica, sans-serif; font-size: 12pt; color: rgb(0, 0, 0);">Thanks,<br>Jim</div>
<div id="appendonsend"></div>
<hr style="display:inline-block;width:98%" tabindex="-1">
<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt" color="#000000"><b>From:</b> Acme Support &lt;help@desk.example&gt;<br>
<b>Sent:</b> Wednesday, December 2, 2026 1:15 PM<br>
<b>To:</b> Jim Palladino &lt;jim@acme.example&gt;<br>
<b>Cc:</b> office@acme.example &lt;office@acme.example&gt;<br>
<b>Subject:</b> RE: Reception phone dead [#1042]</font>
<div>&nbsp;</div></div>
<div><div dir="ltr">Hi Jim - please restart the phone. HISTORY-MARKER</div></div>
</body></html>"""  # noqa: E501

TALON_OUTLOOK_HTML = """<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><meta name=Generator content="Microsoft Word 14 (filtered medium)"></head><body lang=EN-CA link=blue vlink=purple><div class=WordSection1><p class=MsoNormal><span style='font-size:11.0pt;font-family:"Calibri","sans-serif";color:#1F497D'>Allo! Follow up MIME!<o:p></o:p></span></p><p class=MsoNormal><span style='font-size:11.0pt;font-family:"Calibri","sans-serif";color:#1F497D'><o:p>&nbsp;</o:p></span></p><p class=MsoNormal><b><span lang=EN-US style='font-size:10.0pt;font-family:"Tahoma","sans-serif"'>From:</span></b><span lang=EN-US style='font-size:10.0pt;font-family:"Tahoma","sans-serif"'> xxx@xxx.mailgun.org [mailto:xxx@xxx.mailgun.org] <br><b>Sent:</b> March-09-12 4:22 PM<br><b>To:</b> Dan Le<br><b>Subject:</b> The manager has commented on your Loop<o:p></o:p></span></p><p class=MsoNormal><o:p>&nbsp;</o:p></p><p class=MsoNormal>Hi <a href="mailto:dan.le@example.com">dan.le@example.com</a>,<br><br>The manager's comment:<br>&quot;Hello Allan! Did you ask for some MIME? &quot;<br><br>Loop details:<br><br>xxx at Dan<br>I'm not happy<br>&quot;&quot;</p></div></body></html>"""  # noqa: E501


def _whole(body: str) -> None:
    """Nothing is lost: shown and hidden are the message, in order."""
    folded = fold(body)
    assert body.startswith(folded.shown)
    assert body.rstrip().endswith(folded.hidden.rstrip())


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        (TALON_OUTLOOK, "Hello"),
        (TALON_GERMAN, "Allo! Follow up MIME!"),
        (TALON_FRENCH, "Lorem ipsum"),
        (TALON_SWEDISH, "Allo! Follow up MIME!"),
        (TALON_DANISH, "Allo! Follow up MIME!"),
        (TALON_BOLD, "Hi"),
        (ZAPIER_NO_DELIMITER, "And another reply!"),
        (ITALIAN, "Il server dei file è di nuovo irraggiungibile."),
        (FRENCH_ORIGINAL, "Toujours pas de connexion au serveur."),
    ],
    ids=[
        "en",
        "de",
        "fr-multiline",
        "sv",
        "da",
        "bold",
        "no-delimiter",
        "it",
        "fr-message-d-origine",
    ],
)
def test_outlooks_header_block_folds_the_history_below_it(body, shown):
    folded = fold(body)
    assert folded.shown == shown
    assert folded.what == "quoted history"
    _whole(body)


@pytest.mark.parametrize("body", [SPANISH, DUTCH], ids=["es", "nl"])
def test_a_signed_reply_keeps_its_signature_shown_and_folds_the_header_and_history(body):
    folded = fold(body)
    assert folded.what == "quoted history"
    first_header = body.split("\n\n")[2].split("\n")[0]
    assert folded.hidden.startswith(first_header)
    assert folded.shown == body.split("\n\n" + first_header)[0]
    _whole(body)


def test_outlook_for_ios_folds_its_footer_separator_and_history():
    folded = fold(OUTLOOK_IOS_REPLY)
    assert folded.shown == "The shared calendar still shows last week's bookings only."
    assert folded.what == "signature and quoted history"
    assert folded.hidden.startswith("Get Outlook for iOS")
    assert "________________________________\nFrom: Acme Support" in folded.hidden


def test_get_outlook_for_ios_with_its_link_is_a_signature():
    folded = fold(ZAPIER_OUTLOOK_IOS)
    assert folded.shown.endswith("My number is: +00 0000 000 000")
    assert folded.hidden == "Get Outlook for iOS<https://outlook.com/mobile>"
    assert folded.what == "signature"


def test_a_disclaimer_and_the_history_below_it_are_folded_the_signature_shown():
    folded = fold(DISCLAIMED)
    assert folded.shown.endswith("Dispatch | Northwind Logistics Ltd")
    assert folded.hidden.startswith("This email and any attachments to it are confidential")
    assert folded.what == "disclaimer and quoted history"
    _whole(DISCLAIMED)


@pytest.mark.parametrize(
    ("body", "last_shown", "opening"),
    [
        (NOTICE, "Anna", "CONFIDENTIALITY NOTICE"),
        (GERMAN_DISCLAIMER, "Jana Weber", "Diese E-Mail enthält vertrauliche"),
    ],
    ids=["confidentiality-notice", "de"],
)
def test_a_disclaimer_after_the_body_is_folded(body, last_shown, opening):
    folded = fold(body)
    assert folded.shown.endswith(last_shown)
    assert folded.hidden.startswith(opening) and folded.what == "disclaimer"


def test_a_banks_disclaimer_under_its_rules_is_folded_with_the_rules():
    folded = fold(ZAPIER_CAUTION)
    assert folded.shown.endswith("Escalation: LADS MANAGEMENT")
    assert "This message w/attachments" in folded.hidden
    assert folded.hidden.startswith("____")
    assert "CAUTION: This email originated" in folded.shown  # the opening is the body's
    _whole(ZAPIER_CAUTION)


def _mail(html: str) -> str:
    msg = EmailMessage()
    msg["From"] = "Jim Palladino <jim@acme.example>"
    msg["To"] = "help@desk.example"
    msg["Subject"] = "RE: Reception phone dead [#1042]"
    msg["Message-ID"] = "<outlook-html@acme.example>"
    msg.set_content(html, subtype="html")
    return parse_mail(msg.as_bytes(), received_at=datetime(2026, 12, 2, tzinfo=UTC)).body


def test_outlook_on_the_webs_html_reply_is_folded_once_it_is_text():
    body = _mail(OWA_HTML)
    folded = fold(body)
    assert folded.shown.startswith("Still no dial tone on the reception phone")
    assert "From: Acme Support" not in folded.shown and "HISTORY-MARKER" not in folded.shown
    assert folded.hidden.startswith("From: Acme Support") and "HISTORY-MARKER" in folded.hidden


def test_outlook_desktops_word_html_reply_is_folded_once_it_is_text():
    folded = fold(_mail(TALON_OUTLOOK_HTML))
    assert folded.shown == "Allo! Follow up MIME!"
    assert "The manager's comment" in folded.hidden


# -- the customer's own words stay shown -------------------------------------------------------


def test_a_from_line_in_the_customers_text_is_no_header_block():
    body = (
        "The invoice mail I forwarded bounced.\n"
        "From: my boss, who needs it today\n"
        "Can you check why the mailbox refuses it?\n\n"
        "Thanks, Sam"
    )
    assert fold(body).shown == body and fold(body).hidden == ""


def test_two_header_like_lines_are_not_a_block():
    body = (
        "I need a new account for our temp.\n\n"
        "From: 7 December\n"
        "To: 18 December\n\n"
        "Her name is Kim Lee."
    )
    assert fold(body).hidden == ""


def test_a_block_that_does_not_open_with_from_or_sent_is_not_outlooks():
    body = (
        "Please set up the shared mailbox like this:\n\n"
        "To: everyone in accounts\n"
        "Subject: prefix [ACC]\n"
        "Cc: the manager\n\n"
        "Thanks!"
    )
    assert fold(body).hidden == ""


def test_a_repeated_label_is_not_a_header_block():
    body = (
        "The distribution list should hold:\n\n"
        "From: Anna\n"
        "From: Ben\n"
        "From: Chris\n\n"
        "and nobody else."
    )
    assert fold(body).hidden == ""


def test_a_disclaimer_straight_under_the_signature_is_folded_with_the_history():
    """Outlook signatures put the disclaimer on the line after the company's, with no
    blank line (seen in the technician trial of #28 on a customer's reply)."""
    body = (
        "Still asking for the password after the reboot.\n\n"
        "Marco Silva\n"
        "Globex Dental | Front Office\n"
        "This email and any attachments are confidential and intended solely for the "
        "addressee.\n\n"
        "From: Support <help@msp.example>\n"
        "Sent: Saturday, December 5, 2026 5:00 AM\n"
        "To: Marco Silva <marco@globexdental.example>\n"
        "Subject: [#1011] Outlook says my password is wrong\n\n"
        "Please reboot the PC and try again.\n"
    )
    folded = fold(body)
    assert folded.shown.endswith("Globex Dental | Front Office")
    assert folded.hidden.startswith("This email and any attachments are confidential")
    assert "Please reboot" in folded.hidden


def test_confidential_words_in_the_customers_own_request_stay_shown():
    body = (
        "This email is confidential to HR: please give Kim access to the payroll folder.\n\n"
        "Thanks, Dana"
    )
    assert fold(body).hidden == ""


def test_an_error_message_that_says_confidential_is_the_customers_text():
    body = (
        "Word will not open the contract from the shared drive.\n\n"
        "The message on the screen says the document is confidential and asks for a "
        "password I never had.\n\n"
        "Can you look at it today?"
    )
    assert fold(body).hidden == ""


def test_a_customers_notes_that_open_with_a_date_are_not_a_header_block():
    body = (
        "Please send this to the whole office:\n\n"
        "Date: Friday 18 December, 16:00\n"
        "To: all staff\n"
        "Subject: Christmas party in the canteen\n\n"
        "and book the projector for it."
    )
    assert fold(body).hidden == ""
