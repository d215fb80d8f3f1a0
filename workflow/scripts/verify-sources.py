"""Snakemake entry of rule verify_sources (logic: annex_race.integrity)."""

import json
from pathlib import Path

from annex_race.datasets import read_manifest
from annex_race.integrity import verify_sources, verified_files
from annex_race.job import start_job

start_job(snakemake.log[0])
manifests = {kind: [read_manifest(p) for p in snakemake.input[kind]]
             for kind in ("container_source", "source_ds", "ria", "lane_0")}
lane_0 = manifests.pop("lane_0")  # a later lane's: what lane 0's own check verifies in full
verified = verified_files([m for m in lane_0 if "key" in m and "path" in m and "store" not in m],
                          [m for m in lane_0 if "store" in m])
checks = verify_sources(*manifests.values(), snakemake.params.scratch, snakemake.params.roots, verified)
for c in checks:
    print(f"{'ok  ' if c['ok'] else 'FAIL'} {c['what']}: {c['path']} {c['detail']}")
where = {"location": snakemake.wildcards.location, "lane": int(snakemake.wildcards.lane)}
Path(snakemake.output[0]).write_text(json.dumps({**where, "checks": checks}, indent=2) + "\n")
