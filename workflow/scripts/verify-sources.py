"""Snakemake entry of rule verify_sources (logic: annex_race.observe.integrity)."""

from annex_race.core.files import read_manifest, write_json
from annex_race.jobs.process import start_job
from annex_race.observe.integrity import verified_files, verify_sources

start_job(snakemake.log[0])
inputs = snakemake.input
read = {kind: [read_manifest(p) for p in inputs[kind]] for kind in ("container_source", "source_ds", "ria")}
# a later lane's: the image lane 0's own verification reads in full
verified = verified_files([read_manifest(p) for p in inputs.lane_0])
done = verify_sources(*read.values(), snakemake.params.scratch, snakemake.params.roots, verified)
for v in done:
    print(f"{'ok  ' if v['ok'] else 'FAIL'} {v['what']}: {v['path']} {v['detail']}")
where = {"location": snakemake.wildcards.location, "lane": int(snakemake.wildcards.lane)}
write_json(snakemake.output[0], {**where, "verifications": done})
