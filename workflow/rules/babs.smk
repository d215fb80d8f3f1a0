# The seed's own system (annex_race.babs): for a scenario of method `babs`, the real
# BABS makes a project, submits its own SLURM job array and merges what succeeded.
# Each array task is a clone: it meets its siblings at the round's barrier in BABS's
# job preamble, and its record is read from BABS's own log.


# `babs init` and `babs check-setup` of a fresh project for the scenario's round,
# before the round opens: the snapshot covers the input RIA store BABS made
rule init_babs_project:
    input:
        unpack(of_scenario("babs_project_inputs")),
    output:
        layout.BABS_PROJECT,
    log:
        "results/logs/init_babs_project/{scenario}/round-{round}.log",
    wildcard_constraints:
        scenario=one_of(PLAN.running_babs()),
    # BABS submits with sbatch: it runs where the workflow runs
    localrule: True
    conda:
        "../envs/annex-race.yaml"
    params:
        scenario=get_scenario,
        root=of_scenario("babs_root"),
        ticket=of_scenario("round_ticket"),
        tasks=of_scenario("babs_tasks"),
        barriers=get_barriers,
        roots=PLAN.roots,
        babs_env=config["babs_env"],
        barrier_timeout=config["barrier_timeout"],
        barrier_margin=config["barrier_margin"],
    script:
        "../scripts/init-babs-project.py"


# `babs submit` all tasks, wait for BABS's array, `babs status`, `babs merge`
rule run_babs:
    input:
        unpack(of_scenario("babs_run_inputs")),
    output:
        layout.BABS_RUN,
    log:
        "results/logs/run_babs/{scenario}/round-{round}.log",
    wildcard_constraints:
        scenario=one_of(PLAN.running_babs()),
    localrule: True
    conda:
        "../envs/annex-race.yaml"
    # it waits for SLURM: it holds no core
    threads: 0
    params:
        roots=PLAN.roots,
        babs_env=config["babs_env"],
        timeout=config["babs_timeout"],
        scenario=get_scenario,
    script:
        "../scripts/run-babs.py"


# one array task's record, from BABS's own log (which becomes the clone's log)
rule babs_task_record:
    input:
        unpack(of_scenario("babs_record_inputs")),
    output:
        layout.RECORD,
    log:
        layout.CLONE_LOG,
    wildcard_constraints:
        scenario=one_of(PLAN.running_babs()),
    localrule: True
    conda:
        "../envs/annex-race.yaml"
    threads: 0
    params:
        scenario=get_scenario,
        tasks=of_scenario("babs_tasks"),
        lane=get_lane,
    script:
        "../scripts/babs-task-record.py"
