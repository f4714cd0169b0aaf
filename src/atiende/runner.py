"""Run several processes as one: start them, watch them, stop them all together.

``atiende run`` starts the web server, the task worker and the scheduler under a
``Supervisor``. Ctrl-C or SIGTERM stops every child; if one child dies, the others are stopped
and the supervisor reports failure, so a process manager above it can restart the whole set.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import FrameType

from django.utils.translation import gettext as _

POLL_SECONDS = 0.2
PR_SET_PDEATHSIG = 1


@dataclass
class Child:
    """One process to run; ``may_finish`` children may end with code 0 without stopping the rest.

    (The scheduler ends that way when another machine's scheduler holds the Redis lock.)
    """

    name: str
    argv: Sequence[str]
    may_finish: bool = False
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    finished: bool = False

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM if the supervisor itself is killed (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Supervisor:
    """Start ``children`` in their own process groups and keep them running together.

    Each child gets its own process group, so a Ctrl-C at the terminal reaches only the
    supervisor, which then asks each child once to stop (SIGTERM) and kills what is left after
    ``grace`` seconds.
    """

    def __init__(
        self,
        children: Sequence[Child],
        *,
        env: Mapping[str, str] | None = None,
        grace: float = 10.0,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.children = list(children)
        self.env = dict(env) if env is not None else None
        self.grace = grace
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        self.received: int | None = None

    def run(self) -> int:
        """Start all children and block until a signal or a death; return the exit code."""
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            self.start()
            code = self.watch()
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return code

    def start(self) -> None:
        for child in self.children:
            child.process = subprocess.Popen(  # noqa: S603  # our own interpreter and arguments
                list(child.argv),
                env=self.env,
                process_group=0,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )

    def watch(self) -> int:
        while self.received is None:
            for child in self.children:
                if child.finished or child.running:
                    continue
                code = child.process.returncode if child.process else None
                if child.may_finish and code == 0:
                    child.finished = True
                    self.log(_("atiende: %(name)s finished.") % {"name": child.name})
                    continue
                self.log(
                    _("atiende: %(name)s exited with code %(code)s; stopping the others.")
                    % {"name": child.name, "code": code}
                )
                return 1
            time.sleep(POLL_SECONDS)
        return 0

    def stop(self) -> None:
        """Ask every running child to stop, wait up to ``grace`` seconds, then kill."""
        for child in self.children:
            if child.running and child.process is not None:
                with contextlib.suppress(ProcessLookupError):
                    child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        for child in self.children:
            if child.process is None:
                continue
            try:
                child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.log(
                    _("atiende: %(name)s did not stop in time; killing it.") % {"name": child.name}
                )
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.process.pid, signal.SIGKILL)
                child.process.wait()

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.received is None:
            self.log(_("atiende: stopping…"))
        self.received = signum
