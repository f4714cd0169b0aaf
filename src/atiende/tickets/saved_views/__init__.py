"""Inbox views: the built-in queues, saved views, their filters, columns, sorts and counts.

A view is a set of the ticket list's filters (``listing.TicketFilters``) stored as plain JSON
under the names the inbox and the API use in query strings, plus the columns shown and the
sort. Filters are checked against the known names and values when a view is saved; when a
view runs, the viewer's own scope (``visible_tickets``) still applies, so a shared view never
shows a ticket its viewer could not open. ``"me"`` as assignee means whoever runs the view.

``filters``: names, values, columns and sorts; ``builtin``: the built-in views and the
counts; ``stored``: saved views, read and written.
"""

from atiende.tickets.saved_views.builtin import (
    RECENTLY_SOLVED_DAYS,
    FilterChoices,
    InboxView,
    as_inbox_view,
    builtin_views,
    count_new,
    count_views,
    filter_choices,
    find_view,
    group_views,
    inbox_views,
)
from atiende.tickets.saved_views.filters import (
    COLUMNS,
    DEFAULT_COLUMNS,
    DEFAULT_SORT,
    FILTER_NAMES,
    INBOX_SORTS,
    MAX_DAYS,
    MAX_NAME,
    MAX_QUERY,
    ME,
    MULTI_FILTERS,
    SLA_STATES,
    UNASSIGNED,
    Filters,
    clean_columns,
    clean_filters,
    clean_sort,
    ticket_filters,
)
from atiende.tickets.saved_views.stored import (
    can_edit,
    create_saved_view,
    delete_saved_view,
    get_saved_view,
    update_saved_view,
    visible_saved_views,
)

__all__ = [
    "COLUMNS",
    "DEFAULT_COLUMNS",
    "DEFAULT_SORT",
    "FILTER_NAMES",
    "INBOX_SORTS",
    "MAX_DAYS",
    "MAX_NAME",
    "MAX_QUERY",
    "ME",
    "MULTI_FILTERS",
    "RECENTLY_SOLVED_DAYS",
    "SLA_STATES",
    "UNASSIGNED",
    "FilterChoices",
    "Filters",
    "InboxView",
    "as_inbox_view",
    "builtin_views",
    "can_edit",
    "clean_columns",
    "clean_filters",
    "clean_sort",
    "count_new",
    "count_views",
    "create_saved_view",
    "delete_saved_view",
    "filter_choices",
    "find_view",
    "get_saved_view",
    "group_views",
    "inbox_views",
    "ticket_filters",
    "update_saved_view",
    "visible_saved_views",
]
