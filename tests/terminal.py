"""Starting a command the way a terminal does, for the tests that stop it with Ctrl-C or SIGTERM.

A child process inherits an ignored or blocked signal. A shell without job control (a script, a
CI step) starts a background command (``nox -s tests &``) ignoring SIGINT, and pytest then passes
that on to everything it starts: the Ctrl-C a test sends would do nothing. A terminal starts a
foreground command with SIGINT and SIGTERM at their defaults; ``start_as_a_terminal`` gives the
children that a test will stop the same start, however pytest itself was started.
"""

from __future__ import annotations

import signal

#: The signals a test sends to stop a command: Ctrl-C, and what a service manager sends.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def start_as_a_terminal() -> None:
    """``preexec_fn`` for ``subprocess.Popen``: SIGINT and SIGTERM at their defaults, unblocked.

    Runs in the child between fork and exec, and only resets signal dispositions::

        subprocess.Popen([sys.executable, "-m", "alliance_pay.cli", ...],
                         preexec_fn=start_as_a_terminal)
    """
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
