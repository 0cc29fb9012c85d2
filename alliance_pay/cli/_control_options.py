"""The option every command that drives a running sandbox takes (no import of httpx here)."""

from __future__ import annotations

import argparse

__all__ = ["add_sandbox_url_option"]


def add_sandbox_url_option(parser: argparse.ArgumentParser) -> None:
    """``--base-url``, the running sandbox's URL (default ``ALLIANCE_BASE_URL``)."""
    parser.add_argument("--base-url", help="the running sandbox's URL (default: ALLIANCE_BASE_URL)")
