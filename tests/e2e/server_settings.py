"""Settings for the server process the browser tests start (tests/e2e/conftest.py).

The app's own settings, with four changes that only tests need:
- the test process stores passwords with the fast MD5 hasher (tests/conftest.py), so the
  server must know it to check them;
- each request reads the configuration afresh (no per-process snapshot): the tests empty and
  refill the database under the running server, and a snapshot of the last test's SLA policy
  or trigger made the next test's writes refer to rows gone (a foreign-key error, a 500);
- sign-ins are not limited per address per minute (allauth's "login", 30 a minute): the
  browser tests sign in dozens of times a minute, all from 127.0.0.1 (failed sign-ins keep
  their limits, which the lockout tests check);
- static files come from the apps' folders (no ``collectstatic`` before each run), looked up
  on each request, so a file edited while the tests run is never served with a stale length.
"""

from atiende.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
ATIENDE_CONFIG_SNAPSHOT_SECONDS = 0.0
ACCOUNT_RATE_LIMITS = {**ACCOUNT_RATE_LIMITS, "login": "6000/m/ip"}  # noqa: F405
