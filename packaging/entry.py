"""The frozen app's entry point: the same ``influx-desktop`` command as the pip install."""

import multiprocessing
import sys

from influx_desktop.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
