"""``python -m alliance_pay.cli``: the same as the ``alliance-pay`` command."""

from alliance_pay.cli._main import main

if __name__ == "__main__":
    raise SystemExit(main())
