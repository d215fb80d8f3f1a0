# The seed's own system (annex_race.jobs.babs): for a scenario of method `babs`, the real
# BABS makes a project, submits its own SLURM job array and merges what succeeded.
# Each array task is a clone: it meets its siblings at the round's barrier in BABS's
# job preamble, and its record is read from BABS's own log.


# `babs init` and `babs check-setup` of a fresh project for the scenario's round,
# before the round opens: the snapshot covers the input RIA store BABS made
rule init_babs_project:
    input:
        unpack(get_babs_project_inputs),
    output:
        layout.BABS_PROJECT,
    log:
        "results/logs/init_babs_project/{scenario}/round-{round}.log",
    wildcard_constraints:
        scenario=one_of(PLAN.running("babs")),
    # BABS submits with sbatch: it runs where the workflow runs
    localrule: True
    conda:
        "../envs/annex-race.yaml"
    params:
        project=get_babs_project,
        roots=PLAN.roots,
        babs_env=config["babs_env"],
        barrier_timeout=config["barrier_timeout"],
        barrier_margin=config["barrier_margin"],
    script:
        "../scripts/init-babs-project.py"


# `babs submit` all tasks, wait for BABS's array, `babs status`, `babs merge`
rule run_babs:
    input:
        round=layout.ROUND,
        project=layout.BABS_PROJECT,
        git_annex=get_git_annex,
        location=get_location_probe,
    output:
        layout.BABS_RUN,
    log:
        "results/logs/run_babs/{scenario}/round-{round}.log",
    wildcard_constraints:
        scenario=one_of(PLAN.running("babs")),
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
        run=get_babs_run,
        location=get_location_probe,
    output:
        layout.RECORD,
    log:
        layout.CLONE_LOG,
    wildcard_constraints:
        scenario=one_of(PLAN.running("babs")),
    localrule: True
    conda:
        "../envs/annex-race.yaml"
    threads: 0
    params:
        scenario=get_scenario,
        task=get_babs_task,
    script:
        "../scripts/babs-task-record.py"
