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
    PLAN.write()


onsuccess:
    if "check" in workflow.dag_settings.targets:
        logger.info(Path(layout.SITE_CHECK).read_text())


onerror:
    summarize_failed_run()


rule all:
    default_target: True
    input:
        rules.summarize_results.output,
        rules.confirm_sources_unharmed.output,
