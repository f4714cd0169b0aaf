"""What a survey link or answer can run into, each with its code and status."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from atiende.core.errors import AtiendeError, BadRequest, Conflict, NotFound


class LinkDamaged(BadRequest):
    code = "survey_link_damaged"
    title = _("This survey link is damaged: it was changed or cut.")


class SurveyNotFound(NotFound):
    code = "survey_not_found"
    title = _("This survey does not exist or is not for this ticket.")


class SurveyExpired(AtiendeError):
    code = "survey_expired"
    status = 410
    title = _("This survey link has expired.")


class AlreadyRated(Conflict):
    code = "survey_already_rated"
    title = _("You have already rated this, and the rating can no longer be changed.")


class NotSolved(Conflict):
    code = "survey_not_solved"
    title = _("Only a solved request can be rated.")
