"""``alliance-pay completion bash|zsh``: a shell completion script made from the parser itself.

The script knows every command, subcommand and option of this install, so it is regenerated
by running the command again after an upgrade. (With the optional ``argcomplete`` package
installed, ``eval "$(register-python-argcomplete alliance-pay)"`` works too.)
"""

from __future__ import annotations

import argparse
import shlex

from alliance_pay.cli import _output
from alliance_pay.cli._tree import CommandTree

__all__ = ["completion_table", "register"]


def _children(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # argparse keeps no public list of its subparsers
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def completion_table(parser: argparse.ArgumentParser) -> dict[str, list[str]]:
    """For each command path (``""``, ``"payouts"``, ``"payouts create"``), the words that
    may follow it: its subcommands, the values of its positional choices, then its options.

    Examples:
        >>> from alliance_pay.cli._tree import build_parser
        >>> table = completion_table(build_parser())
        >>> "create" in table["payouts"] and "--order-id" in table["payouts create"]
        True
    """
    table: dict[str, list[str]] = {}

    def walk(path: str, node: argparse.ArgumentParser) -> None:
        children = _children(node)
        options = [
            option
            for action in node._actions
            if action.help != argparse.SUPPRESS
            for option in action.option_strings
            if option.startswith("--")
        ]
        values = [
            str(choice)
            for action in node._actions
            if not action.option_strings and action.choices and action.dest != "==SUPPRESS=="
            if not isinstance(action, argparse._SubParsersAction)
            for choice in action.choices
        ]
        table[path] = [*children, *values, *options]
        for name, child in children.items():
            walk(f"{path} {name}".strip(), child)

    walk("", parser)
    return table


_BASH = """\
# alliance-pay completion for bash: eval "$(alliance-pay completion bash)"
_alliance_pay() {{
    local -A words=(
{entries}
    )
    local path=alliance-pay word i
    for ((i = 1; i < COMP_CWORD; i++)); do
        word="${{COMP_WORDS[i]}}"
        [[ "$word" == -* ]] && continue
        [[ -n "${{words["$path $word"]+x}}" ]] && path="$path $word"
    done
    COMPREPLY=($(compgen -W "${{words[$path]}}" -- "${{COMP_WORDS[COMP_CWORD]}}"))
}}
complete -o default -F _alliance_pay alliance-pay
"""

_ZSH = """\
#compdef alliance-pay
# alliance-pay completion for zsh: eval "$(alliance-pay completion zsh)"
_alliance_pay() {{
    local -A table
    table=(
{entries}
    )
    local path=alliance-pay word
    for word in ${{words[2,CURRENT-1]}}; do
        [[ "$word" == -* ]] && continue
        (( ${{+table[$path $word]}} )) && path="$path $word"
    done
    compadd -- ${{=table[$path]}}
}}
compdef _alliance_pay alliance-pay
"""


def _key(path: str) -> str:
    # Keyed by the whole command line so far: shell arrays refuse an empty key.
    return f"alliance-pay {path}".strip()


def _script(shell: str, parser: argparse.ArgumentParser) -> str:
    table = completion_table(parser)
    if shell == "bash":
        entries = "\n".join(
            f"        [{shlex.quote(_key(path))}]={shlex.quote(' '.join(words))}"
            for path, words in table.items()
        )
        return _BASH.format(entries=entries)
    entries = "\n".join(
        f"        {shlex.quote(_key(path))} {shlex.quote(' '.join(words))}"
        for path, words in table.items()
    )
    return _ZSH.format(entries=entries)


def register(tree: CommandTree) -> None:
    """Add ``completion``."""

    def completion(args: argparse.Namespace) -> int:
        script = _script(args.shell, tree.parser)
        if args.json:
            _output.print_json({"shell": args.shell, "script": script})
        else:
            print(script, end="")
        return 0

    command = tree.command(
        "completion",
        completion,
        help="print a shell completion script (bash or zsh)",
        description='Print a completion script for your shell. Add eval "$(alliance-pay '
        'completion bash)" to ~/.bashrc, or the zsh line to ~/.zshrc.',
    )
    command.add_argument("shell", choices=("bash", "zsh"))
