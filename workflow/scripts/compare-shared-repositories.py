"""Snakemake entry of rules compare_shared_repositories and compare_delivery_round
(logic: annex_race.observe.snapshot; a delivering round's output check: annex_race.observe.output)."""

from annex_race.core.files import read_manifest, write_json
from annex_race.core.record import read_record
from annex_race.core.roots import safe_remove
from annex_race.jobs.process import start_job
from annex_race.observe import snapshot
from annex_race.observe.output import verify_output

start_job(snakemake.log[0])
params = snakemake.params
logs = {int(clone): path for clone, path in params.logs.items()}
writes = snapshot.after_round(snakemake.input.snapshot, logs, params.roots)
for line in [*map(snapshot.describe, writes["changes"]), *writes["initialisations"], *writes["restored"]]:
    print(line)
if params.verify_dir:  # a round that delivers: its output repository checked too
    records = [read_record(path).asdict() for path in snakemake.input.records]
    safe_remove(params.verify_dir, params.roots)
    try:
        verified = verify_output(read_manifest(snakemake.input.output), records, params.verify_dir)
    finally:
        safe_remove(params.verify_dir, params.roots)
    for line in verified["verified"] + verified["problems"] + [f"lost: {why}" for why in verified["lost"].values()]:
        print(line)
    write_json(snakemake.output.verified, verified)
snapshot.write(snakemake.output.writes, writes)
