"""`python -m annex_lab up|status|down` (annex_lab.lab) and `python -m annex_lab box up|status|down`
(annex_lab.box)."""

import sys

if sys.argv[1:2] == ["box"]:
    from .box import main

    sys.exit(main(sys.argv[2:]))
from .lab import main

sys.exit(main())
