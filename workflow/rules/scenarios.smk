# The fan-out: n_clones clone jobs per scenario, meeting at a barrier before their step.
#
# Scenarios run in lanes (annex_race.planning.lanes): within a lane they share
# origins (container_source, source_ds, the RIA stores) and run one after another,
# since overlapping scenarios would race each other, not just their own siblings;
# lanes have origins of their own and run side by side. Each run of a scenario is a
# round (annex_race.planning.rounds): its ticket names a fresh barrier, and a
# scenario that is not complete gets a new round, a new ticket for its clone jobs to
# read, so all its siblings rerun together, never one alone.


# open a round of a scenario once its lane's datasets and the scenario before it are
# done, with a snapshot of the repositories its jobs share
rule open_round:
    input:
        get_round_inputs,
    output:
        ticket=layout.ROUND,
        snapshot=layout.SNAPSHOT,
    log:
        "results/logs/open_round/{scenario}/round-{round}.log",
    # a complete scenario has no round to open: its ticket stays as it was
    wildcard_constraints:
        scenario=one_of(PLAN.running(delivering=False)),
    localrule: True
    conda:
        "../envs/annex-race.yaml"
    # bookkeeping holds no core: a round never waits behind a dataset job
    threads: 0
    params:
        opening=get_round_opening,
        roots=PLAN.roots,
    script:
        "../scripts/open-round.py"


# a round that delivers (a push operation's, a whole job's) gets an output repository
# of its own, made as the round opens (in the same job: a job of its own costs a
# Python start per round)
use rule open_round as open_delivery_round with:
    output:
        ticket=layout.ROUND,
        snapshot=layout.SNAPSHOT,
        output=layout.OUTPUT_REPOSITORY,
    wildcard_constraints:
        scenario=one_of(PLAN.delivering()),


# one clone job: clone, meet the siblings, take the method's step (get the image, init,
# or push a result), write the record
rule run_clone_job:
    input:
        unpack(get_clone_job_inputs),
    output:
        layout.RECORD,
    log:
        layout.CLONE_LOG,
    wildcard_constraints:
        scenario=one_of(PLAN.running("get", "init", "push")),
    conda:
        "../envs/annex-race.yaml"
    # a clone job mostly waits (at the barrier, on I/O): it holds no core, so all
    # siblings run at once however few --cores; on SLURM each still gets one CPU
    threads: 0
    params:
        job=get_clone_job,
        roots=PLAN.roots,
        settings={
            k: config[k]
            for k in (
                "barrier_timeout",
                "barrier_margin",
                "keep_clones",
                "push_timeout",
                "deliver_at_barrier",
                "result_size",
            )
        },
        ssh_command=config["ssh"]["command"],
    script:
        "../scripts/run-clone-job.py"


# after all jobs of a round: what they wrote into the repositories they share, put back
rule compare_shared_repositories:
    input:
        unpack(get_compare_inputs),
    output:
        writes=layout.WRITES,
    log:
        "results/logs/compare_shared_repositories/{scenario}/round-{round}.log",
    # what it costs each round (benchmarks/snapshots.py reads it)
    benchmark:
        "results/benchmarks/compare_shared_repositories/{scenario}/round-{round}.tsv"
    wildcard_constraints:
        scenario=one_of(PLAN.comparing(delivering=False)),
    localrule: True
    conda:
        "../envs/annex-race.yaml"
    threads: 0
    params:
        logs=get_clone_logs,
        roots=PLAN.roots,
        # a round that delivers: where its output repository's check may clone it
        verify_dir=get_verify_dir,
    script:
        "../scripts/compare-shared-repositories.py"


# after a round that delivers, in the same job: does its output repository hold every
# result its jobs reported delivered?
use rule compare_shared_repositories as compare_delivery_round with:
    input:
        unpack(get_compare_inputs),
        output=layout.OUTPUT_REPOSITORY,
    output:
        writes=layout.WRITES,
        verified=layout.OUTPUT_VERIFIED,
    log:
        "results/logs/compare_delivery_round/{scenario}/round-{round}.log",
    benchmark:
        "results/benchmarks/compare_delivery_round/{scenario}/round-{round}.tsv"
    wildcard_constraints:
        scenario=one_of(PLAN.comparing(delivering=True)),
