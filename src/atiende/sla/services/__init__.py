"""The only writers of the sla app's tables: calendars, policies and timers."""
