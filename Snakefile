# annex-race: reproduce, diagnose and verify fixes for concurrent `git annex get`
# failures from a shared origin. Configuration: config/config.yaml (keys described
# in config/README.md); the includes below are the data flow.
import signal
import threading

from snakemake.utils import min_version

min_version("9.27")

if workflow.is_main_process and threading.current_thread() is threading.main_thread():
    # a closed terminal (SIGHUP) ends the run the way Ctrl-C does: its jobs stopped,
    # its lock released, so that a plain rerun continues
    signal.signal(signal.SIGHUP, signal.default_int_handler)


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/git_annex.smk"
include: "workflow/rules/datasets.smk"
include: "workflow/rules/scenarios.smk"
include: "workflow/rules/babs.smk"
include: "workflow/rules/summary.smk"


onstart:
    # every job process this run starts loads the plan instead of planning again
    plan_file.write(PLAN)


onsuccess:
    if "check" in workflow.dag_settings.targets:
        logger.info(Path(layout.SITE_CHECK).read_text())


onerror:
    # what the failed run observed: results/summary.md, headed "This run did not finish"
    summarize_failed_run(
        PLAN.summary_inputs("matrix"),
        PLAN.expected_clones("matrix"),
        RUN_STARTED,
        logger,
        **SUMMARY,
    )


rule all:
    default_target: True
    input:
        rules.write_summary.output,
        rules.draw_figures.output,
        rules.write_scenario_cards.output,
        rules.confirm_sources_unharmed.output,
