"""``python -m wgan``: see :mod:`wgan.cli`."""

from wgan.cli import main

raise SystemExit(main())
