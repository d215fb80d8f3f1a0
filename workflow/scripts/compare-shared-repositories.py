"""Snakemake entry of rule compare_shared_repositories (logic: annex_race.snapshot,
and for a push operation's round annex_race.push_job's check of its output store)."""

from annex_race import push_job, snapshot
from annex_race.datasets import read_manifest
from annex_race.job import start_job
from annex_race.paths import safe_remove
from annex_race.record import read_record

start_job(snakemake.log[0])
logs = {int(clone): path for clone, path in snakemake.params.logs.items()}
writes = snapshot.after_round(snakemake.input.snapshot, logs, snakemake.params.roots)
for line in [*map(snapshot.describe, writes["changes"]), *writes["initialisations"], *writes["restored"]]:
    print(line)
if "store" in snakemake.input.keys():
    records = [read_record(path).asdict() for path in snakemake.input.records]
    checker = snakemake.params.checker_dir
    safe_remove(checker, snakemake.params.roots)
    try:
        writes["output_store"] = push_job.check_output_store(read_manifest(snakemake.input.store), records, checker)
    finally:
        safe_remove(checker, snakemake.params.roots)
    for line in writes["output_store"]["checked"] + writes["output_store"]["problems"]:
        print(line)
    for why in writes["output_store"]["lost"].values():
        print(f"lost: {why}")
snapshot.write(snakemake.output[0], writes)
