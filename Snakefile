# annex-race: reproduce, diagnose and verify fixes for concurrent `git annex get`
# failures from a shared origin. Configuration: config/config.yaml; rules: workflow/rules.


configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/git_annex.smk"
include: "workflow/rules/datasets.smk"
include: "workflow/rules/clone_get.smk"
include: "workflow/rules/aggregate.smk"


rule all:
    default_target: True
    input:
        "results/results.tsv",
        "results/summary.md",
        "results/timeline.png",
