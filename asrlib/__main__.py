"""``python -m asrlib``: see :mod:`asrlib.cli`."""

import sys

from asrlib.cli import main

sys.exit(main())
