"""Run the command line as ``python -m zhusan``."""

from zhusan.cli import run

run()
