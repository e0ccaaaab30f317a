"""`python -m ktui` runs the same command as `ktui`."""

import sys

from ktui.cli import main

sys.exit(main())
