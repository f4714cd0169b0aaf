"""The automation app's scheduled tasks; each part keeps its own module and is imported here
(``atiende scheduler`` loads ``<app>.tasks`` of every app)."""

from atiende.automation.assignment.tasks import (  # noqa: F401  (assignment)
    drain_backlogs,
    hand_over_out_of_office,
)
