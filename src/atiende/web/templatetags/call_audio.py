"""``playable_audio``: whether the timeline plays an attachment with ``<audio controls>``.

Only the audio types a call recording is kept as (``recording_fetch.AUDIO_TYPES``), and only by
the type sniffed from the file's bytes when it was stored, never what an uploader claimed. The
file itself is served by the attachments endpoint as ever: a download with ``nosniff`` and a
sandboxing policy, which an ``<audio>`` element plays all the same.
"""

from __future__ import annotations

from django import template

from atiende.messaging.channels.services.recording_fetch import AUDIO_TYPES

register = template.Library()


@register.filter
def playable_audio(content_type: object) -> bool:
    return isinstance(content_type, str) and content_type in AUDIO_TYPES
