"""Record the example session of ``docs/cli.md`` from a real run.

It serves a sandbox and a webhook receiver on free loopback ports, runs each command of
``SESSION`` as a user would (a subprocess, output into a pipe, so tables are plain text) and
writes the transcript between the ``<!-- session -->`` markers of ``docs/cli.md``. Ports are
shown as 8000 (the sandbox) and 9000 (the receiver), so a re-run changes only what really
changed (timestamps, transaction ids).

Usage::

    python scripts/cli_session.py          # rewrite the session in docs/cli.md
    python scripts/cli_session.py --print  # print it instead
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.server
import json
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "cli.md"
START, END = "<!-- session:start -->", "<!-- session:end -->"
ACCESS, SECRET = "dev-access-key", "dev-secret-key"
PAYOUT = (
    "--order-id PO-2001 --user-id seller-7 --amount 1500.00 --beneficiary-name 'Asha Verma' "
    "--beneficiary-email asha@example.in --beneficiary-mobile-no 9876543210 "
    "--beneficiary-address 'MG Road, Bengaluru' --beneficiary-acc-no 123456789012 "
    "--bank-name SBI --ifsc SBIN0060589"
)


def _wrong_curl() -> str:
    """A cURL line signed with the leading "/" kept in the PATH line: the classic mistake."""
    message = b"GET\n/api/v1/balance\n\n1731017656554\n"
    signature = hmac.new(SECRET.encode(), message, hashlib.sha256).hexdigest()
    return (
        "curl 'http://127.0.0.1:8000/api/v1/balance' -H 'Access-Key: dev-access-key' "
        f"-H 'Timestamp: 1731017656554' -H 'Signature: {signature}'"
    )


#: The commands, in order; ``{curl}`` is a cURL line signed the wrong way.
SESSION = (
    "alliance-pay balance",
    "alliance-pay payins create-link --order-id PI-1001 --user-id cust-42 --amount 499.00 "
    "--redirect-url https://shop.example.in/thanks",
    "alliance-pay sandbox settle PI-1001 --approve",
    "alliance-pay payins status PI-1001 --json",
    f"alliance-pay payouts create {PAYOUT}",
    "alliance-pay sandbox settle PO-2001 --approve",
    "alliance-pay payouts wait PO-2001 --timeout 30",
    "alliance-pay sandbox ledger",
    "alliance-pay balance --json",
    "alliance-pay sign GET api/v1/balance --timestamp 1731017656554",
    "alliance-pay sign --verify --curl - <<'EOF'\n{curl}\nEOF",
    "ALLIANCE_SECRET_KEY=not-the-key alliance-pay balance",
    "alliance-pay webhooks trigger payout.succeeded",
    "alliance-pay sandbox fault payout.create --kind commit_then_drop --mode 502",
    "alliance-pay sandbox fault payout.status --always --status-code 503",
    f"alliance-pay payouts create {PAYOUT.replace('PO-2001', 'PO-2002')}",
)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def _receiver() -> Iterator[int]:
    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def _wait_until_shown(printed: list[str], base_url: str, timeout: float = 60.0) -> None:
    """Wait until ``webhooks listen`` printed a line for each delivery the sandbox made."""
    deadline = time.monotonic() + timeout
    while True:
        feed = f"{base_url}/_sandbox/webhooks"  # http://127.0.0.1 only: the sandbox started here
        with urllib.request.urlopen(feed, timeout=10) as answer:  # noqa: S310
            made = len(json.load(answer)["attempts"])
        if len(printed) >= made:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"webhooks listen printed {len(printed)} of {made} deliveries")
        time.sleep(0.05)


def record() -> str:
    """Run the session; the transcript as Markdown."""
    port, hooks_port = _free_port(), 0
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    env = {k: v for k, v in env.items() if not k.startswith("ALLIANCE_")}
    serve = f"alliance-pay sandbox --port {port} --access-key {ACCESS} --secret-key {SECRET}"
    serve += " --payout-delay 3600"
    cli = str(Path(sys.executable).with_name("alliance-pay"))
    sandbox = subprocess.Popen(  # noqa: S603 - our own command line
        [cli, *shlex.split(serve)[1:]], stdout=subprocess.PIPE, text=True, env=env
    )
    assert sandbox.stdout is not None
    head = [sandbox.stdout.readline() for _ in range(3)]
    env.update(
        ALLIANCE_BASE_URL=f"http://127.0.0.1:{port}",
        ALLIANCE_ACCESS_KEY=ACCESS,
        ALLIANCE_SECRET_KEY=SECRET,
    )
    blocks = ["In one shell:", "", "```console", f"$ {serve.replace(str(port), '8000')}"]
    blocks += [line.rstrip("\n") for line in head] + ["```", ""]
    try:
        with _receiver() as hooks_port:
            listen = subprocess.Popen(  # noqa: S603 - our own command line
                [cli, "webhooks", "listen", "--forward-to", f"http://127.0.0.1:{hooks_port}/hooks"],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
            )  # fmt: skip
            # Its first line comes once the sandbox forwards to it: no delivery is missed.
            out, errors = listen.stdout, listen.stderr
            assert out is not None
            assert errors is not None
            ready = errors.readline()
            if not ready:
                raise RuntimeError(f"webhooks listen exited {listen.wait(20)} before listening")
            printed: list[str] = []
            reader = threading.Thread(target=lambda: printed.extend(out), daemon=True)
            reader.start()
            blocks += ["In another, with the `export` line pasted:", "", "```console"]
            for command in SESSION:
                shown = command.replace("{curl}", _wrong_curl())
                done = subprocess.run(  # noqa: S602 - the session is shell lines, as typed
                    shown,
                    shell=True,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,  # interleaved, as a terminal shows them
                    text=True,
                    env=env,
                    check=False,
                )
                blocks.append(f"$ {shown}")
                output = done.stdout.rstrip("\n")
                if output:
                    blocks.append(output)
                if done.returncode:
                    blocks.append(f"$ echo $?\n{done.returncode}")
            blocks += ["```", ""]
            _wait_until_shown(printed, f"http://127.0.0.1:{port}")
            listen.send_signal(signal.SIGINT)
            listen.wait(120)
            reader.join(120)
            err = errors.read()
            out.close()
            errors.close()
            blocks += ["And in a third, `webhooks listen` printed each delivery as it happened:"]
            blocks += ["", "```console"]
            blocks.append("$ alliance-pay webhooks listen --forward-to http://127.0.0.1:9000/hooks")
            lines = [line.rstrip("\n") for line in printed]
            blocks += [ready.rstrip("\n"), *lines, *err.splitlines(), "```"]
    finally:
        sandbox.send_signal(signal.SIGINT)
        sandbox.wait(timeout=20)
        sandbox.stdout.close()
    text = "\n".join(blocks)
    text = text.replace(f"127.0.0.1:{port}", "127.0.0.1:8000")
    return text.replace(f"127.0.0.1:{hooks_port}", "127.0.0.1:9000")


def main() -> int:
    """Rewrite (or ``--print``) the session of ``docs/cli.md``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--print", action="store_true", help="print instead of writing")
    args = parser.parse_args()
    transcript = record()
    if args.print:
        print(transcript)
        return 0
    page = DOCS.read_text("utf-8")
    before, _, rest = page.partition(START)
    _, _, after = rest.partition(END)
    DOCS.write_text(f"{before}{START}\n{transcript}\n{END}{after}", "utf-8")
    print(json.dumps({"written": str(DOCS.relative_to(ROOT))}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
