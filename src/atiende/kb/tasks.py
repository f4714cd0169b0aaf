"""The knowledge base's periodic jobs, enqueued by the scheduler and run by ``atiende worker``."""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from atiende.kb.services.workflow import publish_due, remind_verification


@task
def publish_scheduled_articles() -> int:
    """Publish the translations whose ``publish_at`` has come."""
    return publish_due()


@task
def remind_article_owners() -> int:
    """Tell owners, once per date, that an article's verify-by date has passed."""
    return remind_verification()


# Registered without decorator syntax: crontask is untyped and would erase the task's type.
cron("* * * * *")(publish_scheduled_articles)  # every minute
cron("0 7 * * *")(remind_article_owners)  # every morning
