# The fan-out: n_clones clone jobs per scenario, meeting at a barrier before the get.


rule barrier:
    """Open a fresh barrier for one run of a scenario, on the local executor.

    The output is a service, so Snakemake starts this job together with all clone
    jobs that consume it: siblings are always scheduled as one group. It only
    writes the token; the cores it asks for are those its siblings leave free, so
    that scenarios run one at a time.
    """
    output:
        service(f"{BARRIERS}/local.open"),
    log:
        "results/logs/barrier/{scenario}.log",
    conda:
        "../envs/annex-race.yaml"
    threads: spare_cores
    script:
        "../scripts/barrier.py"


rule barrier_cluster:
    """Open a fresh barrier for one run of a scenario, when every clone is its own
    cluster job: a temp token made on the submit host; the siblings meet on the
    shared filesystem."""
    output:
        temp(f"{BARRIERS}/cluster.open"),
    log:
        "results/logs/barrier/{scenario}.cluster.log",
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
