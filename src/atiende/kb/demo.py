"""The demo's help center: a few published articles in Spanish and English.

Loaded with the demo tickets (`atiende run` on an empty helpdesk, `atiende demo`) so the
portal's help center, the agents' article search and the suggestions have something to show.
Written through the knowledge base's services, as an administrator would.
"""

from __future__ import annotations

from dataclasses import dataclass

from atiende.core.actor import Actor
from atiende.kb.services.articles import add_translation, create_article, publish
from atiende.kb.services.structure import create_category, create_section


@dataclass(frozen=True)
class DemoArticle:
    section: str
    es: tuple[str, str]
    en: tuple[str, str]


SECTIONS = {
    "account": {"es": "Tu cuenta", "en": "Your account"},
    "billing": {"es": "Facturas y pagos", "en": "Invoices and payments"},
    "tech": {"es": "Problemas técnicos", "en": "Technical problems"},
}

# fmt: off
ARTICLES = (
    DemoArticle(
        "account",
        ("Cómo restablecer la contraseña",
         "Si no puedes iniciar sesión:\n\n1. Pulsa **¿Has olvidado tu contraseña?** en la "
         "página de acceso.\n2. Escribe el correo de tu cuenta.\n3. Abre el enlace que te "
         "enviamos; caduca en una hora.\n\nSi el enlace ha caducado, pide uno nuevo. Si no te "
         "llega el correo, revisa la carpeta de spam."),
        ("How to reset your password",
         "If you cannot sign in:\n\n1. Click **Forgot your password?** on the sign-in page.\n"
         "2. Type your account's email.\n3. Open the link we send you; it expires in an hour."
         "\n\nIf the link has expired, ask for a new one. If the email does not arrive, look "
         "in your spam folder."),
    ),
    DemoArticle(
        "account",
        ("Cambiar el correo de tu cuenta",
         "Ve a **Perfil → Correo**, escribe la dirección nueva y confírmala desde el enlace que "
         "te llega. Hasta que la confirmes seguirás recibiendo los avisos en la anterior."),
        ("Change your account's email",
         "Go to **Profile → Email**, type the new address and confirm it from the link we send."
         " Until you confirm it, notices keep going to the old one."),
    ),
    DemoArticle(
        "billing",
        ("Me han cobrado dos veces una factura",
         "Un cargo duplicado suele ser una **preautorización** del banco que desaparece en 3–5 "
         "días hábiles. Si pasado ese plazo sigue, abre una solicitud con el número de factura "
         "y te devolvemos el importe."),
        ("I was charged twice for an invoice",
         "A double charge is usually a bank **pre-authorisation** that disappears within 3–5 "
         "business days. If it is still there after that, open a request with the invoice "
         "number and we refund it."),
    ),
    DemoArticle(
        "billing",
        ("Pago con tarjeta denegado",
         "Comprueba que la tarjeta permite pagos en línea e internacionales y que la dirección "
         "de facturación coincide con la del banco. Si el banco confirma que todo está bien, "
         "prueba con otra tarjeta o pídenos una transferencia."),
        ("Card payment declined",
         "Check that the card allows online and international payments and that the billing "
         "address matches your bank's. If your bank says all is well, try another card or ask "
         "us for a bank transfer."),
    ),
    DemoArticle(
        "tech",
        ("No me llegan los correos de notificación",
         "Añade nuestra dirección a tus contactos y revisa la carpeta de spam. Si usas un "
         "filtro de empresa, pide a tu administrador que permita nuestro dominio."),
        ("Notification emails are not arriving",
         "Add our address to your contacts and look in your spam folder. If your company "
         "filters mail, ask your administrator to allow our domain."),
    ),
    DemoArticle(
        "tech",
        ("La API devuelve un error 500",
         "Un error 500 es nuestro, no tuyo: vuelve a intentarlo con espera creciente. Si se "
         "repite, abre una solicitud con el **código de petición** de la respuesta."),
        ("The API answers with error 500",
         "A 500 error is ours, not yours: retry with a growing wait. If it keeps happening, "
         "open a request with the response's **request id**."),
    ),
)
# fmt: on


def load_articles(actor: Actor) -> int:
    """Publish the demo's articles (both languages) as ``actor``, an administrator; returns
    how many translations were published."""
    category = create_category(actor, names={"es": "Ayuda", "en": "Help"})
    sections = {
        key: create_section(actor, category_id=category.pk, names=names, position=position)
        for position, (key, names) in enumerate(SECTIONS.items())
    }
    published = 0
    for demo in ARTICLES:
        section_id = sections[demo.section].pk
        spanish = create_article(
            actor, section_id=section_id, language="es", title=demo.es[0], body=demo.es[1]
        )
        english = add_translation(
            actor, article_id=spanish.article_id, language="en", title=demo.en[0], body=demo.en[1]
        )
        for translation in (spanish, english):
            publish(actor, translation_id=translation.pk)
            published += 1
    return published
