# The fan-out: n_clones clone jobs per scenario, meeting at a barrier before the get.
#
# Scenarios run one after another: they share origins (container_source, the RIA
# stores), so overlapping scenarios would race each other, not just their own
# siblings. A scenario takes its turn when the one before it has its records; then
# its barrier opens and all its clone jobs become ready at once, on the local
# executor and on a cluster alike, and nothing else ever waits at a barrier.


rule turn:
    """A scenario's turn comes after the scenario before it. Bookkeeping only: when
    a slice of the matrix changes who comes before, this reruns, nothing else."""
    input:
        previous_scenario,
    output:
        f"{BARRIERS}/turn",
    log:
        "results/logs/turn/{scenario}.log",
    localrule: True
    conda:
        "../envs/annex-race.yaml"
    shell:
        "touch {output} 2> {log}"


rule barrier:
    """Open a fresh barrier for one run of a scenario: a new token, in whose
    directory the siblings meet. The token is temp, so a scenario always reruns
    with all its siblings, never one clone alone."""
    input:
        ancient(f"{BARRIERS}/turn"),
    output:
        temp(f"{BARRIERS}/token"),
    log:
        "results/logs/barrier/{scenario}.log",
    localrule: True
    conda:
        "../envs/annex-race.yaml"
    script:
        "../scripts/barrier.py"


rule clone_get:
    input:
        unpack(scenario_inputs),
        barrier=barrier_token,
    output:
        f"{RECORD}.json",
    log:
        f"{RECORD}.log",
    conda:
        "../envs/annex-race.yaml"
    threads: 1
    params:
        scenario=scenario_params,
        clone_dir=CLONE,
        barriers=BARRIERS,
        roots=ROOTS,
        barrier_timeout=config["barrier_timeout"],
        barrier_margin=config["barrier_margin"],
        keep_clones=config["keep_clones"],
        backoff=config["backoff"],
    script:
        "../scripts/clone_get.py"
