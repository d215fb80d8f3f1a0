"""Snakemake entry of rules open_round and open_delivery_round (logic: annex_race.jobs.barrier,
annex_race.observe.snapshot; a delivering round's output repository: annex_race.jobs.push)."""

import os

from annex_race.core import versions
from annex_race.core.files import read_manifest, write_manifest
from annex_race.core.roots import safe_remove
from annex_race.jobs.barrier import open_round
from annex_race.jobs.process import start_job
from annex_race.observe import snapshot

start_job(snakemake.log[0])
opening = snakemake.params.opening
if output := opening["output"]:  # a round that delivers: its output repository first
    from annex_race.jobs.push import create_output_repository

    versions.use(read_manifest(output["git_annex"]), os.environ)  # the scenario's git-annex makes it
    safe_remove(output["directory"], snakemake.params.roots)  # an interrupted earlier attempt's
    manifest = create_output_repository(output["scenario"], output["directory"])
    print(f"output repository: {manifest['url']}")
    write_manifest(snakemake.output.output, manifest)
# before the ticket: no job of the round acts before its shared repositories are seen
snapshot.before_round(snapshot.resolve(opening["shared"], read_manifest), snakemake.output.snapshot)
print(open_round(snakemake.output.ticket, int(snakemake.wildcards.round), opening["lane"]))
