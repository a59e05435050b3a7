"""`python -m spectools`."""

from spectools.cli import entry

entry()
