"""annex-race's logic, by stage; the rules' scripts, the tests and the benchmarks
import it. docs/design.md ("The package") says which stage may import which:

core/      the words every stage shares: where files live, the table of methods,
           the axes, the record, work roots, git-annex versions, commands
planning/  configuration and what is on disk -> the plan
datasets/  what the rules make before a round: locations probed, the datasets
jobs/      what runs in a job: a clone job (get, init, push), BABS, barrier, guard
observe/   reading what happened: log lines, snapshots, sources, output, faults
report/    records -> the tables, the findings, the figures and the pages
driver/    Snakemake's side: its command line from Python, workarounds for its bugs
"""
