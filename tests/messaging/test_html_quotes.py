"""What each mail client sends when a customer answers in HTML: the ticket shows the new
text only, in Spanish and English, with the client's quote markers read before sanitizing."""

from __future__ import annotations

import pytest

from atiende.core.html import html_to_text
from atiende.messaging.inbound.pipeline import process
from atiende.messaging.inbound.store import store_raw
from tests.messaging.mail import build, make_mailbox

pytestmark = pytest.mark.django_db

OLD = "Pruebe a reiniciar la impresora"

CLIENTS = {
    "gmail-es": (
        '<div dir="ltr">Ya la reinicié y sigue igual.</div><br>'
        '<div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">'
        "El lun, 3 mar 2025 a las 10:00, Soporte (&lt;support@helpdesk.test&gt;) escribió:"
        '<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex">'
        f"{OLD}.</blockquote></div>"
    ),
    "outlook-desktop": (
        '<div class="WordSection1"><p class="MsoNormal">Still broken after the restart.</p>'
        '<p class="MsoNormal">&nbsp;</p><div><div style="border:none;border-top:solid #E1E1E1 '
        '1.0pt;padding:3.0pt 0cm 0cm 0cm"><p class="MsoNormal"><b>From:</b> Support '
        "&lt;support@helpdesk.test&gt;<br><b>Sent:</b> Monday, March 3, 2025 10:00<br>"
        f"<b>To:</b> Ana<br><b>Subject:</b> Printer</p></div></div><p>{OLD}.</p></div>"
    ),
    "outlook-web": (
        '<div dir="ltr">Still broken after the restart.</div>'
        '<div id="appendonsend"></div><hr style="display:inline-block;width:98%" tabindex="-1">'
        '<div id="divRplyFwdMsg" dir="ltr"><b>From:</b> Support<br><b>Sent:</b> Monday<br>'
        f"<b>Subject:</b> Printer</div><div>{OLD}.</div>"
    ),
    "apple-mail": (
        '<div>Still broken after the restart.</div><div><br><blockquote type="cite">'
        "<div>On 3 Mar 2025, at 10:00, Support &lt;support@helpdesk.test&gt; wrote:</div>"
        f"<div>{OLD}.</div></blockquote></div>"
    ),
    "thunderbird": (
        "<p>Still broken after the restart.</p>"
        '<div class="moz-cite-prefix">On 03/03/2025 10:00, Support wrote:<br></div>'
        f'<blockquote type="cite">{OLD}.</blockquote>'
    ),
    "iphone-es": (
        "<div>Ya la reinicié y sigue igual.</div><div><br></div>"
        '<div dir="ltr">Enviado desde mi iPhone</div><div dir="ltr"><br>'
        '<blockquote type="cite">El 3 mar 2025, a las 10:00, Soporte '
        f"&lt;support@helpdesk.test&gt; escribió:<br><br>{OLD}.</blockquote></div>"
    ),
}


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_the_ticket_shows_what_the_customer_wrote(client: str) -> None:
    make_mailbox()
    raw = build(body="(see HTML)", html=CLIENTS[client])
    row, _created = store_raw(raw, mailbox=None, source="upload")
    message = process(row.pk).ticket_message
    assert message is not None
    shown = html_to_text(message.body_html)
    assert "restart" in shown or "reinicié" in shown
    for quoted in (OLD, "wrote", "escribió", "From:", "Enviado desde mi iPhone"):
        assert quoted not in shown, (client, shown)
