# The fan-out: n_clones clone jobs per scenario, meeting at a barrier before the get.
#
# Scenarios run in lanes (annex_race.lanes): within a lane they share origins
# (container_source, source_ds, the RIA stores) and run one after another, since
# overlapping scenarios would race each other, not just their own siblings; lanes
# have origins of their own and run side by side. A scenario's barrier opens when
# the scenario before it in its lane has its records; then all its clone jobs become
# ready at once, on the local executor and on a cluster alike, and nothing else ever
# waits at a barrier.


# wait until the lane's datasets exist and the scenario before this one has its records
rule take_turn:
    """Bookkeeping only, for the scenarios that run: a complete scenario keeps the
    turn it took (see get_turn), whoever comes before it in a later slice."""
    input:
        get_turn_inputs,
    output:
        "results/barriers/{scenario}/turn",
    log:
        "results/logs/take_turn/{scenario}.log",
    wildcard_constraints:
        scenario="|".join(TO_RUN) or "(?!)",  # (?!): none
    localrule: True
    conda:
        "../envs/annex-race.yaml"
    # bookkeeping holds no core: a turn never waits behind a dataset job
    threads: 0
    shell:
        "touch {output} 2> {log}"


# open a fresh barrier for one run of a scenario
rule open_barrier:
    """A new token names the directory in which the siblings meet. The token is
    temp and names the scenario's round (see annex_race.rounds): a scenario always
    reruns with all its siblings, never one clone alone."""
    input:
        get_turn,
    output:
        temp("results/barriers/{scenario}/round-{round}.token"),
    log:
        "results/logs/open_barrier/{scenario}/round-{round}.log",
    localrule: True
    conda:
        "../envs/annex-race.yaml"
    # bookkeeping holds no core: a barrier never waits behind a dataset job
    threads: 0
    params:
        datasets=get_barrier_datasets,
    script:
        "../scripts/open-barrier.py"


# clone the input RIA, meet the siblings, get the image, write the record
rule clone_and_get:
    input:
        unpack(get_clone_inputs),
    output:
        "results/records/{scenario}/clone-{clone}.json",
    log:
        "results/logs/clone_and_get/{scenario}/clone-{clone}.log",
    conda:
        "../envs/annex-race.yaml"
    # a clone job mostly waits (at the barrier, on I/O): it holds no core, so all
    # siblings run at once however few --cores; on SLURM each still gets one CPU
    threads: 0
    params:
        scenario=get_scenario,
        clone_dir=get_clone_dir,
        roots=ROOTS,
        barrier_timeout=config["barrier_timeout"],
        barrier_margin=config["barrier_margin"],
        keep_clones=config["keep_clones"],
        ssh_command=config["ssh"]["command"],
    script:
        "../scripts/clone-and-get.py"
