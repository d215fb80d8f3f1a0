"""Snakemake entry of rule compare_shared_repositories (logic: annex_race.observe.snapshot)."""

from annex_race.jobs.process import start_job
from annex_race.observe import snapshot

start_job(snakemake.log[0])
logs = {int(clone): path for clone, path in snakemake.params.logs.items()}
writes = snapshot.after_round(snakemake.input.snapshot, logs, snakemake.params.roots)
for line in [*map(snapshot.describe, writes["changes"]), *writes["initialisations"], *writes["restored"]]:
    print(line)
snapshot.write(snakemake.output[0], writes)
