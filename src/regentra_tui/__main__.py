"""``python -m regentra_tui``: the ``regentra`` command, for hosts without the script."""

from .cli import main

if __name__ == "__main__":  # not when a spawned child (the daemon's indexer) imports it
    main()
