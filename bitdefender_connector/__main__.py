"""Allows ``python -m bitdefender_connector``."""

from .cli import main

raise SystemExit(main())
