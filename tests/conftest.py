"""Suite-wide set-up: the real-parts harness, and how hypothesis behaves in CI."""

import os

from hypothesis import settings

pytest_plugins = ["tests.support.pytest_plugin"]

# CI replays the same examples on every run, so a landing never hangs on the luck of the
# draw; a property that fails there fails every time. Locally, every run explores anew
# (counterexamples found that way are pinned with @example).
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
