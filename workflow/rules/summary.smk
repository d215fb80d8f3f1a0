# Every clone record -> the results table, the per-scenario summary, the timeline.


# summarize the records: verdicts, causes, evidence, findings
rule summarize_results:
    input:
        get_all_records,
    output:
        table="results/results.tsv",
        summary="results/summary.md",
        timeline="results/timeline.png",
    log:
        "results/logs/summarize_results.log",
    conda:
        "../envs/annex-race.yaml"
    params:
        max_skew=config["max_skew"],
        notes=get_row_notes(),
    script:
        "../scripts/summarize-results.py"
