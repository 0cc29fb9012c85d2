"""A project on httpx2 alone: `import httpx` gives httpx2 (loaded with `pytest -p`, before any
plugin imports httpx)."""

import httpx2

httpx2.alias_httpx()

import httpx  # noqa: E402

if httpx is httpx2:
    print("httpx is httpx2")
