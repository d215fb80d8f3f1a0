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
        scenario=one_of(PLAN.running()),
    localrule: True
    conda:
        "../envs/annex-race.yaml"
    # bookkeeping holds no core: a round never waits behind a dataset job
    threads: 0
    params:
        opening=get_round_opening,
    script:
        "../scripts/open-round.py"


# a round that delivers (a push operation's, a whole job's) gets an output repository
# of its own: made ahead of the round (it waits for nothing of its lane), so that the
# lane does not wait for it
rule create_output_repository:
    input:
        git_annex=get_git_annex,
    output:
        layout.OUTPUT_REPOSITORY,
    log:
        "results/logs/create_output_repository/{scenario}/round-{round}.log",
    wildcard_constraints:
        scenario=one_of(PLAN.delivering()),
    localrule: True
    conda:
        "../envs/annex-race.yaml"
    # it works (DataLad, git-annex): one core each, after the lanes' datasets
    threads: 1
    params:
        directory=get_output_dir,
        scenario=get_scenario,
        roots=PLAN.roots,
    script:
        "../scripts/create-output-repository.py"


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
    resources:
        slurm_extra=get_clone_node,
    params:
        job=get_clone_job,
        roots=PLAN.roots,
        settings={
            k: config[k]
            for k in (
                "barrier_timeout",
                "barrier_margin",
                "throttle",
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
        layout.WRITES,
    log:
        "results/logs/compare_shared_repositories/{scenario}/round-{round}.log",
    # what it costs each round (benchmarks/snapshots.py reads it)
    benchmark:
        "results/benchmarks/compare_shared_repositories/{scenario}/round-{round}.tsv"
    wildcard_constraints:
        scenario=one_of(PLAN.comparing()),
    localrule: True
    conda:
        "../envs/annex-race.yaml"
    threads: 0
    params:
        logs=get_clone_logs,
        roots=PLAN.roots,
    script:
        "../scripts/compare-shared-repositories.py"


# after a round that delivers: does its output repository hold every result its jobs
# reported delivered? (the lane's next round waits for the comparison only)
rule verify_output:
    input:
        output=layout.OUTPUT_REPOSITORY,
        records=get_records,
    output:
        layout.OUTPUT_VERIFIED,
    log:
        "results/logs/verify_output/{scenario}/round-{round}.log",
    wildcard_constraints:
        scenario=one_of(PLAN.delivering(running=False)),
    localrule: True
    conda:
        "../envs/annex-race.yaml"
    threads: 0
    params:
        verify_dir=get_verify_dir,
        roots=PLAN.roots,
    script:
        "../scripts/verify-output.py"
