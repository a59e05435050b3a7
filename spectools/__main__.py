"""`python -m spectools`."""

import sys

from spectools.cli import main

sys.exit(main())
