"""``python -m regentra_tui``: the ``regentra`` command, for hosts without the script."""

from .cli import main

main()
