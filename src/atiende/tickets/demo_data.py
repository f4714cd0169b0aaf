"""The words behind the demo data: people, teams and the conversations a helpdesk sees."""

from __future__ import annotations

from dataclasses import dataclass

DOMAIN = "atiende.test"
ADMIN_EMAIL = f"admin@{DOMAIN}"


@dataclass(frozen=True)
class Agent:
    email: str
    name: str
    role: str
    locale: str
    time_zone: str
    groups: tuple[str, ...]


def _agent(login: str, name: str, role: str, locale: str, tz: str, groups: str) -> Agent:
    return Agent(f"{login}@{DOMAIN}", name, role, locale, tz, tuple(groups.split()))


GROUPS = {
    "support": ("Soporte", "Dudas generales y cuentas. / Questions and accounts."),
    "billing": ("Facturación / Billing", "Facturas, pagos y reembolsos. / Invoices and refunds."),
    "tech": ("Técnico", "Incidencias técnicas e integraciones. / Technical issues."),
}

# fmt: off
AGENTS = (
    _agent("admin", "Ana García", "admin", "es", "Europe/Madrid", "support billing tech"),
    _agent("carlos.ruiz", "Carlos Ruiz", "agent", "es", "America/Mexico_City", "support tech"),
    _agent("lucia.fernandez", "Lucía Fernández", "agent", "es", "Europe/Madrid", "support billing"),
    _agent("diego.morales", "Diego Morales", "agent", "es", "America/Bogota", "tech"),
    _agent("sofia.lopez", "Sofía López", "agent", "es", "America/Argentina/Buenos_Aires",
           "tech support"),
    _agent("emma.wilson", "Emma Wilson", "agent", "en", "Europe/London", "support"),
    _agent("james.carter", "James Carter", "agent", "en", "America/New_York", "billing"),
    _agent("oliver.brown", "Oliver Brown", "agent", "en", "UTC", "tech billing"),
)

ORGANIZATIONS = (
    ("Ferretería Hernández S.L.", "ferreteria-hernandez.example", True),
    ("Northwind Traders", "northwind.example", False),
)

FIRST_NAMES_ES = (
    "María", "José", "Carmen", "Javier", "Laura", "Miguel", "Elena", "Pablo", "Marta", "Andrés",
    "Isabel", "Raúl", "Paula", "Alejandro", "Rocío", "Fernando", "Beatriz", "Hugo", "Nuria",
    "Sergio", "Valentina", "Mateo", "Camila", "Santiago", "Daniela",
)
LAST_NAMES_ES = (
    "Martínez", "Sánchez", "Pérez", "Gómez", "Jiménez", "Díaz", "Romero", "Navarro", "Torres",
    "Domínguez", "Vázquez", "Ramos", "Castillo", "Ortega", "Rubio", "Molina", "Delgado", "Herrera",
)
FIRST_NAMES_EN = (
    "Olivia", "Liam", "Amelia", "Noah", "Isla", "George", "Ava", "Harry", "Mia", "Jack", "Grace",
    "Leo", "Chloe", "Henry", "Ella", "Charlie", "Ruby", "Thomas", "Lily", "William", "Sophie",
    "Ethan", "Hannah", "Lucas", "Zoe",
)
LAST_NAMES_EN = (
    "Smith", "Jones", "Taylor", "Davies", "Evans", "Thomas", "Johnson", "Roberts", "Walker",
    "Wright", "Robinson", "Thompson", "White", "Hughes", "Edwards", "Green", "Hall", "Wood",
)
# fmt: on
FREE_MAIL = ("correo.example", "mail.example", "inbox.example")

# key: English and Spanish names, parent key.
CATEGORIES = {
    "account": ("Account", "Cuenta", None),
    "payments": ("Payments", "Pagos", None),
    "invoices": ("Invoices", "Facturas", "payments"),
    "refunds": ("Refunds", "Reembolsos", "payments"),
    "technical": ("Technical issue", "Incidencia técnica", None),
    "integrations": ("Integrations", "Integraciones", "technical"),
}


@dataclass(frozen=True)
class Scenario:
    lang: str
    group: str
    category: str
    tags: tuple[str, ...]
    subject: str
    body: str
    replies: tuple[str, ...]
    followups: tuple[str, ...]
    notes: tuple[str, ...]


ES_REPLIES = (
    "Hola {first}, gracias por escribirnos. Ya lo estamos revisando y te contamos en cuanto "
    "tengamos novedades.",
    "Hola {first}, ¿podrías enviarnos una captura de pantalla del error y la hora aproximada?",
    "Hola {first}, lo hemos corregido. ¿Puedes comprobar si ya te funciona?",
    "Gracias por tu paciencia, {first}. El equipo técnico ha aplicado una solución.",
)
EN_REPLIES = (
    "Hi {first}, thanks for reaching out. We're looking into it and will update you shortly.",
    "Hi {first}, could you send us a screenshot of the error and roughly when it happened?",
    "Hi {first}, this should be fixed now. Could you check on your side?",
    "Thanks for your patience, {first}. Our engineers have rolled out a fix.",
)
ES_FOLLOWUPS = (
    "Adjunto la captura. Pasó sobre las diez de la mañana.",
    "Sigue igual, ¿alguna novedad?",
    "¡Ya funciona! Muchas gracias.",
    "Perfecto, gracias por la rapidez.",
)
EN_FOLLOWUPS = (
    "Screenshot attached. It happened around 10 am.",
    "Still the same on my end, any news?",
    "It works now, thank you!",
    "Great, thanks for the quick help.",
)
ES_NOTES = (
    "Cliente recurrente; revisar historial antes de responder.",
    "Lo consulto con @diego.morales, parece el mismo fallo de la semana pasada.",
    "Pendiente de confirmación del banco.",
)
EN_NOTES = (
    "Repeat customer; check history before replying.",
    "Asked @oliver.brown, looks like last week's bug again.",
    "Waiting for the payment provider to confirm.",
)


def _es(group: str, category: str, tags: tuple[str, ...], subject: str, body: str) -> Scenario:
    return Scenario("es", group, category, tags, subject, body, ES_REPLIES, ES_FOLLOWUPS, ES_NOTES)


def _en(group: str, category: str, tags: tuple[str, ...], subject: str, body: str) -> Scenario:
    return Scenario("en", group, category, tags, subject, body, EN_REPLIES, EN_FOLLOWUPS, EN_NOTES)


# fmt: off
SCENARIOS = (
    _es("support", "account", ("acceso",), "No puedo iniciar sesión",
        "Hola, desde ayer no puedo entrar en mi cuenta. Me dice que la contraseña es incorrecta "
        "aunque la he cambiado dos veces."),
    _es("support", "account", ("cuenta",), "Cambiar el correo de mi cuenta",
        "Buenas, quiero cambiar el correo asociado a mi cuenta por uno nuevo. ¿Cómo lo hago?"),
    _es("billing", "invoices", ("factura",), "Factura {n} duplicada",
        "Me habéis cobrado dos veces la factura {n}. Por favor, revisadlo y devolved el importe."),
    _es("billing", "refunds", ("reembolso",), "Solicitud de reembolso del pedido {n}",
        "El pedido {n} llegó dañado. Quiero la devolución del dinero, no un cambio."),
    _es("billing", "payments", ("pago",), "Error al pagar con tarjeta",
        "Al intentar pagar con mi tarjeta aparece «operación denegada», pero el banco dice que "
        "todo está bien."),
    _es("tech", "technical", ("rendimiento",), "La aplicación va muy lenta",
        "Desde la última actualización la aplicación tarda más de un minuto en cargar el panel."),
    _es("tech", "integrations", ("api", "integración"), "La API devuelve error 500",
        "Nuestra integración recibe un error 500 al crear pedidos desde esta mañana. "
        "Código de petición {n}."),
    _es("tech", "technical", ("móvil",), "La app del móvil se cierra sola",
        "La aplicación de Android se cierra al abrir la pestaña de pedidos."),
    _es("support", "account", ("alta",), "Dar de alta a un nuevo usuario en la empresa",
        "Necesitamos añadir a una compañera nueva a nuestra cuenta de empresa."),
    _es("tech", "technical", ("correo",), "No me llegan los correos de notificación",
        "Hace una semana que no recibo ningún correo de notificación. He mirado en spam."),
    _en("support", "account", ("login",), "Can't log in to my account",
        "Hi, I've been locked out since this morning. The reset link in the email has expired."),
    _en("support", "account", ("account",), "How do I close my account?",
        "Hello, I no longer need the service. How can I close my account and delete my data?"),
    _en("billing", "invoices", ("invoice",), "Wrong VAT number on invoice {n}",
        "Invoice {n} shows our old VAT number. Could you reissue it with the correct one?"),
    _en("billing", "refunds", ("refund",), "Refund for order {n}",
        "I cancelled order {n} within the trial period. When will I get my refund?"),
    _en("billing", "payments", ("payment",), "Card declined when upgrading plan",
        "I tried to upgrade to the Business plan but the card payment keeps getting declined."),
    _en("tech", "technical", ("outage",), "Dashboard not loading",
        "The dashboard shows a blank page for everyone in our team. Is there an outage?"),
    _en("tech", "integrations", ("api", "webhooks"), "Webhooks stopped firing",
        "Our webhook endpoint hasn't received any events since yesterday, request id {n}."),
    _en("tech", "technical", ("export",), "CSV export is missing columns",
        "The CSV export no longer includes the customer phone column."),
    _en("support", "account", ("onboarding",), "Add two new team members",
        "We hired two people this week. Can you add them to our company account?"),
    _en("tech", "integrations", ("sso",), "Single sign-on setup question",
        "We'd like to set up single sign-on with our identity provider. Where do we start?"),
)

ALERT = Scenario(
    "en", "tech", "technical", ("monitoring",), "[ALERT] Disk usage above 90% on db-{n}",
    "Monitoring alert: disk usage on db-{n} reached 91% at 03:12 UTC.",
    EN_REPLIES, (), EN_NOTES,
)
# fmt: on
