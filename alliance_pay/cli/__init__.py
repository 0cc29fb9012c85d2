"""The ``alliance-pay`` command: the Alliance API, a signature debugger and a local sandbox.

Layout (one module per command group, a thin layer on the public SDK):

=====================  ===========================================================
module                 does
=====================  ===========================================================
``_main``              ``main()``: build the parser, run the handler, map errors to
                       exit codes (``_exit``)
``_tree``              how commands are declared: ``CommandTree``, ``Group``, and
                       ``MODULES``, the list of modules that contribute commands
``_config``            keys and URL (environment, flags, never the secret from argv)
``_output``            every byte a command prints: ``--json`` or a table
``_control``           the running sandbox's control API (``/_sandbox/``)
``_signature_check``   sans-I/O: why a signature is wrong (``_capture`` reads the
                       request from flags, cURL, a raw HTTP request or a HAR file)
``_balance`` ...       one module per command group: ``_balance``, ``_payins``,
                       ``_payouts``, ``_sign``, ``_show_config``, ``_sandbox``,
                       ``_webhooks``, ``_demo``, ``_completion``
=====================  ===========================================================

Start-up stays fast because nothing heavy is imported to build the parser: a command
module imports only ``argparse`` and the CLI's own small modules at the top, and the SDK,
httpx, rich or the sandbox inside the handler that needs them.

Adding a command group or a subcommand from your own module:

1. Write ``alliance_pay/cli/_yours.py`` with a ``register(tree: CommandTree) -> None``
   function. ``tree.group(name, help=...)`` returns the group of that name, creating it
   when no module made it yet, so a module can add a subcommand to an existing group::

       from alliance_pay.cli._tree import CommandTree

       def register(tree: CommandTree) -> None:
           payouts = tree.group("payouts", help="send money to bank accounts")
           bulk = payouts.command("bulk", _bulk, help="send a file of payouts", api=True)
           bulk.add_argument("file")

   ``api=True`` adds the connection options (``--base-url``, ``--access-key``,
   ``--secret-key-file``, ``--request-timeout``) and the refusal of ``--secret-key``; every
   command gets ``--json``. A handler takes the parsed ``argparse.Namespace`` and
   returns the exit code; SDK errors it lets through become the documented exit codes.
   Use ``_config.client(args)`` for an SDK client and ``_output`` to print.
2. Add the module's name to ``MODULES`` in ``_tree.py`` (one line; the order is the order
   of ``--help``).
3. Add a test running the command as a subprocess (``tests/cli/``) and its section in
   ``docs/cli.md``.

Examples:
    $ alliance-pay balance --json
    $ alliance-pay sign --verify --curl - < request.txt
    $ alliance-pay sandbox --port 8000
"""

from __future__ import annotations

from alliance_pay.cli._main import main

__all__ = ["main"]
