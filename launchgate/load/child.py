"""Entry point of the load generator process: `python -m launchgate.load.child ROLE ...`.

gevent must patch the standard library before anything imports ssl or socket, so this module
does only that, then hands over to launchgate.load.generator. Never import it into the gate.
"""

from gevent import monkey

monkey.patch_all()

import sys  # noqa: E402  (after the patch, on purpose)

from launchgate.load.generator import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
