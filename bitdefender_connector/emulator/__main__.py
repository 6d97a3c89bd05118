"""Entry point for `python -m bitdefender_connector.emulator`."""

import sys

from .command import main

sys.exit(main())
