"""What the webhook answers Twilio (TwiML for SMS and voice), and the per-key token bucket
that refuses a flood before it is stored."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

import pytest

from atiende.messaging.channels import services
from atiende.messaging.channels.services import webhook_limits
from atiende.messaging.channels.webhook_answers import EMPTY_TWIML, answer_for, voice_twiml
from atiende.messaging.models import ChannelAccount
from tests.factories import SYSTEM

pytestmark = pytest.mark.django_db


def account(provider: str, **settings: str) -> ChannelAccount:
    secrets = {"auth_token": "x" * 32} if provider.startswith("twilio") else {}
    if provider == "telegram":
        secrets = {"bot_token": "123:abc", "webhook_secret": "s3cr3t-token"}
    return services.create_account(
        SYSTEM,
        provider=provider,
        name=provider,
        settings={"account_sid": "AC" + "a" * 32, **settings} if "twilio" in provider else {},
        secrets=secrets,
    )


def parsed(body: bytes) -> ElementTree.Element:
    return ElementTree.fromstring(body)  # noqa: S314  # our own answer, not untrusted


# --- TwiML ----------------------------------------------------------------------------------


def test_an_sms_gets_an_empty_twiml_response() -> None:
    answer = answer_for(account("twilio_sms", from_number="+15557650000"))

    assert answer is not None and answer.content_type == "text/xml"
    assert answer.body == EMPTY_TWIML and len(parsed(answer.body)) == 0


def test_a_call_gets_an_empty_response_by_default() -> None:
    answer = answer_for(account("twilio_voice"))

    assert answer is not None and answer.content_type == "text/xml"
    root = parsed(answer.body)
    assert root.tag == "Response" and len(root) == 0


def test_a_call_can_be_greeted_and_forwarded() -> None:
    body = voice_twiml(
        {
            "voice_say": "Gracias por llamar a Soporte & Cía. Le pasamos con un agente.",
            "voice_language": "es-ES",
            "voice_dial": "+34910000000",
        }
    )

    say, dial = parsed(body)
    assert (say.tag, say.get("language"), say.text) == (
        "Say",
        "es-ES",
        "Gracias por llamar a Soporte & Cía. Le pasamos con un agente.",
    )
    assert (dial.tag, dial.text) == ("Dial", "+34910000000")


def test_a_sip_address_is_dialled_as_sip() -> None:
    (dial,) = parsed(voice_twiml({"voice_dial": "sip:soporte@pbx.example.com"}))

    (sip,) = dial
    assert (sip.tag, sip.text) == ("Sip", "sip:soporte@pbx.example.com")


@pytest.mark.parametrize(
    "values",
    [
        {"voice_dial": "600 12 34 56"},  # national: Twilio needs E.164
        {"voice_dial": "+34<Hangup/>"},
        {"voice_dial": "sip:<x>"},
        {"voice_say": "   "},
    ],
)
def test_settings_that_do_not_read_are_left_out(values: dict[str, str]) -> None:
    assert len(parsed(voice_twiml(values))) == 0


def test_markup_in_the_greeting_stays_text_and_a_bad_language_is_dropped() -> None:
    (say,) = parsed(voice_twiml({"voice_say": "<Hangup/> hola", "voice_language": '"><x'}))

    assert say.text == "<Hangup/> hola" and say.get("language") is None


def test_other_providers_get_an_empty_200() -> None:
    assert answer_for(account("telegram")) is None


# --- the per-key token bucket ---------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1_750_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def small_bucket(settings: Any) -> None:
    settings.ATIENDE_WEBHOOK_RATE = 2
    settings.ATIENDE_WEBHOOK_BURST = 5


@pytest.mark.usefixtures("small_bucket")
def test_a_burst_passes_then_a_flood_is_refused_with_retry_after() -> None:
    clock = Clock()

    verdicts = [webhook_limits.take("key-a", clock=clock) for _ in range(6)]

    assert [v.allowed for v in verdicts] == [True] * 5 + [False]
    assert verdicts[-1].retry_after == 1
    assert webhook_limits.take("key-b", clock=clock).allowed  # another key, its own bucket


@pytest.mark.usefixtures("small_bucket")
def test_the_bucket_refills_with_time_and_a_refusal_spends_nothing() -> None:
    clock = Clock()
    for _ in range(5):
        webhook_limits.take("key-a", clock=clock)
    assert not webhook_limits.take("key-a", clock=clock).allowed
    assert not webhook_limits.take("key-a", clock=clock).allowed

    clock.now += 1.0  # two tokens back at two a second

    assert [webhook_limits.take("key-a", clock=clock).allowed for _ in range(3)] == [
        True,
        True,
        False,
    ]


@pytest.mark.usefixtures("small_bucket")
def test_large_bodies_cost_more() -> None:
    clock = Clock()
    big = 3 * webhook_limits.BYTES_PER_TOKEN  # four tokens

    assert webhook_limits.take("key-a", big, clock=clock).allowed
    refused = webhook_limits.take("key-a", big, clock=clock)

    assert not refused.allowed and refused.retry_after == 2  # 1 left, 4 needed, 2 a second


def test_a_rate_of_zero_switches_it_off(settings: Any) -> None:
    settings.ATIENDE_WEBHOOK_RATE = 0
    clock = Clock()

    assert all(webhook_limits.take("key-a", 10**6, clock=clock).allowed for _ in range(100))


def test_the_defaults_let_the_intake_target_through() -> None:
    clock = Clock()
    allowed = 0
    for _second in range(10):  # 10 s at 500 one-KB webhooks a second, on one key
        clock.now += 1.0
        allowed += sum(webhook_limits.take("bench", 1024, clock=clock).allowed for _ in range(500))

    assert allowed == 5000


# --- through the webhook ---------------------------------------------------------------------


def test_a_key_past_its_rate_gets_429_and_nothing_is_stored(client: Any, settings: Any) -> None:
    settings.ATIENDE_WEBHOOK_RATE = 0.001  # no refill within the test
    settings.ATIENDE_WEBHOOK_BURST = 2
    sms = account("twilio_sms", from_number="+15550001111")
    url = f"/hooks/{sms.webhook_key}/"

    answers = [client.post(url, {"Body": "hola"}) for _ in range(3)]

    assert [a.status_code for a in answers[:2]] == [403, 403]  # within the burst: checked
    assert answers[2].status_code == 429 and int(answers[2]["Retry-After"]) >= 1
    assert sms.payloads.count() == 2  # the refused one was never stored
