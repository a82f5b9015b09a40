"""chainpos test suite."""
