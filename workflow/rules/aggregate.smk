# Aggregation: every clone record -> results table, per-scenario summary, timeline.


rule aggregate:
    input:
        all_records(),
    output:
        table="results/results.tsv",
        summary="results/summary.md",
        timeline="results/timeline.png",
    log:
        "results/logs/aggregate.log",
    conda:
        "../envs/annex-race.yaml"
    params:
        max_skew=config["max_skew"],
    script:
        "../scripts/aggregate.py"
