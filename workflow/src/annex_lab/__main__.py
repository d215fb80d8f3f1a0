"""`python -m annex_lab up|status|down` (annex_lab.lab)."""

import sys

from .lab import main

sys.exit(main())
