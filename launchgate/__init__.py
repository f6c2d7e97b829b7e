"""launchgate: a launch-readiness gate for web apps (CLI and GitHub Action).

Kept import-light on purpose: `launchgate --version` must not pull in httpx, locust or gevent.
"""

__version__ = "0.1.0"
