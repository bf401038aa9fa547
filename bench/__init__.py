"""Benchmarks of the running assistant; they print and save figures, never assert."""
