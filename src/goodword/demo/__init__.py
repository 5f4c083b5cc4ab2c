"""The demo store: a realistic tea shop generated deterministically from a seed, loaded through the services."""
