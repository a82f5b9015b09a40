"""Tests of the harness that starts real parts."""
