"""Snakemake entry of rule verify_output (logic: annex_race.observe.output)."""

from annex_race.core.files import read_manifest, write_json
from annex_race.core.record import read_record
from annex_race.core.roots import safe_remove
from annex_race.jobs.process import start_job
from annex_race.observe.output import verify_output

start_job(snakemake.log[0])
records = [read_record(path).asdict() for path in snakemake.input.records]
verify_dir, roots = snakemake.params.verify_dir, snakemake.params.roots
safe_remove(verify_dir, roots)
try:
    verified = verify_output(read_manifest(snakemake.input.output), records, verify_dir)
finally:
    safe_remove(verify_dir, roots)
for line in verified["verified"] + verified["problems"]:
    print(line)
for why in verified["lost"].values():
    print(f"lost: {why}")
write_json(snakemake.output[0], verified)
