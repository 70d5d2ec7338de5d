"""Demo data for `make run` (seed_demo): the top floor, free to use every app."""
