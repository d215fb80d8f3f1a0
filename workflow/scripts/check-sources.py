"""Snakemake entry of rule check_sources (logic: annex_race.integrity)."""

import json
from pathlib import Path

from annex_race.datasets import read_manifest
from annex_race.integrity import check_sources
from annex_race.job import start_job

start_job(snakemake.log[0])
manifests = {kind: [read_manifest(p) for p in snakemake.input[kind]]
             for kind in ("container_source", "source_ds", "ria")}
checks = check_sources(manifests["container_source"], manifests["source_ds"], manifests["ria"],
                       snakemake.params.scratch, snakemake.params.roots)
for c in checks:
    print(f"{'ok  ' if c['ok'] else 'FAIL'} {c['what']}: {c['path']} {c['detail']}")
Path(snakemake.output[0]).write_text(json.dumps({"location": snakemake.wildcards.location,
                                                 "checks": checks}, indent=2) + "\n")
