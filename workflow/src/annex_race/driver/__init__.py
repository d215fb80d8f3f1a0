"""Snakemake's side: the workflow's command line from Python (tests, benchmarks)
and the workarounds for Snakemake's and its SLURM plugin's bugs (compat)."""
