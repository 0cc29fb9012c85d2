"""``alliance-pay config``: the settings a command would use, and where each comes from.

The secret key is never shown: only where it comes from, its length and whether it starts or
ends with whitespace (a pasted newline is the classic cause of every signature being wrong).
"""

from __future__ import annotations

import argparse
import os

from alliance_pay.cli import _config, _output
from alliance_pay.cli._tree import CommandTree

__all__ = ["register"]


def _origin(args: argparse.Namespace, flag: str, env: str) -> str | None:
    if getattr(args, flag.lstrip("-").replace("-", "_"), None):
        return flag
    return env if os.environ.get(env, "").strip() else None


def _config_command(args: argparse.Namespace) -> int:
    from alliance_pay import AllianceAuth
    from alliance_pay._logging import mask_key

    url_from = _origin(args, "--base-url", _config.ENV_BASE_URL)
    key_from = _origin(args, "--access-key", _config.ENV_ACCESS_KEY)
    secret_from = _config.secret_source(args)
    secret: dict[str, object] = {"source": secret_from}
    if secret_from.startswith(("--secret-key-file", _config.ENV_SECRET_KEY)):
        value = _config.secret_key(args)
        secret.update(length=len(value), surrounding_whitespace=value != value.strip())
    url = _config.base_url(args) if url_from else None
    key = mask_key(_config.access_key(args)) if key_from else None
    get_body = AllianceAuth("-", "-").get_body
    if args.json:
        _output.print_json(
            {
                "base_url": {"value": url, "source": url_from},
                "access_key": {"value": key, "source": key_from},
                "secret_key": secret,
                "get_body": get_body,
            }
        )
        return 0
    rows = [
        ("base URL", f"{url or 'not set'} ({url_from or 'no source'})"),
        ("access key", f"{key or 'not set'} ({key_from or 'no source'})"),
        ("secret key", _secret_text(secret)),
        ("GET body line", "{}" if get_body else "empty"),
    ]
    width = max(len(name) for name, _ in rows)
    print("\n".join(f"{name:<{width}}  {value}" for name, value in rows))
    return 0


def _secret_text(secret: dict[str, object]) -> str:
    if "length" not in secret:
        return f"from {secret['source']}"
    spaces = (
        "WARNING: starts or ends with whitespace"
        if secret["surrounding_whitespace"]
        else "no surrounding whitespace"
    )
    return f"{secret['length']} characters from {secret['source']}; {spaces}"


def register(tree: CommandTree) -> None:
    """Add ``config``."""
    tree.command(
        "config",
        _config_command,
        help="show the settings API commands use, and where each comes from",
        description="Show the base URL, the access key (shortened), where the secret key comes "
        "from (never the key itself: its length and whether it has surrounding whitespace) "
        "and the GET body line. Calls nothing.",
        api=True,
    )
