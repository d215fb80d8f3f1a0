# The fan-out: n_clones clone jobs per scenario, meeting at a barrier before the get.
#
# Scenarios run in lanes (annex_race.lanes): within a lane they share origins
# (container_source, source_ds, the RIA stores) and run one after another, since
# overlapping scenarios would race each other, not just their own siblings; lanes
# have origins of their own and run side by side. Each run of a scenario is a round
# (annex_race.rounds): its ticket names a fresh barrier, and a scenario that is not
# complete gets a new round, a new ticket for its clone jobs to read, so all its
# siblings rerun together, never one alone.


# open a round of a scenario once its lane's datasets and the scenario before it are
# done, with a snapshot of the repositories its jobs share
rule open_round:
    input:
        of_scenario("round_inputs"),
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
        lane=get_lane,
        shared=of_scenario("shared_repositories"),
    script:
        "../scripts/open-round.py"


# a push operation's round delivers into an output store of its own, made once the
# round is open
rule create_output_store:
    input:
        round=layout.ROUND,
        git_annex=of_scenario("git_annex_manifest"),
    output:
        layout.OUTPUT_STORE,
    log:
        "results/logs/create_output_store/{scenario}/round-{round}.log",
    wildcard_constraints:
        scenario=one_of(PLAN.running_push()),
    localrule: True
    conda:
        "../envs/annex-race.yaml"
    threads: 0
    params:
        directory=of_scenario("output_store_dir"),
        method=get_method,
        roots=PLAN.roots,
    script:
        "../scripts/create-output-store.py"


# clone the input RIA, meet the siblings, get the image (or, a push operation: clone
# the output store, save a result, meet the siblings, push it), write the record
rule clone_and_get:
    input:
        unpack(of_scenario("clone_inputs")),
    output:
        layout.RECORD,
    log:
        layout.CLONE_LOG,
    wildcard_constraints:
        scenario=one_of(PLAN.running_babs(False)),
    conda:
        "../envs/annex-race.yaml"
    # a clone job mostly waits (at the barrier, on I/O): it holds no core, so all
    # siblings run at once however few --cores; on SLURM each still gets one CPU
    threads: 0
    params:
        scenario=get_scenario,
        clone_dir=get_clone_dir,
        barriers=get_barriers,
        roots=PLAN.roots,
        barrier_timeout=config["barrier_timeout"],
        barrier_margin=config["barrier_margin"],
        keep_clones=config["keep_clones"],
        ssh_command=config["ssh"]["command"],
        push_timeout=config["push_timeout"],
    script:
        "../scripts/clone-and-get.py"


# after all jobs of a round: what they wrote into the repositories they share, put back
rule compare_shared_repositories:
    input:
        unpack(of_scenario("compare_inputs")),
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
        logs=of_scenario("clone_logs"),
        roots=PLAN.roots,
        checker_dir=of_scenario("output_checker_dir"),
    script:
        "../scripts/compare-shared-repositories.py"
