"""Benchmarks: timings and memory of the register machinery at scale (not part of the tests)."""
