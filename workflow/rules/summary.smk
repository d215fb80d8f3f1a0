# Every clone record -> the results table, the per-scenario summary, the timeline.


# summarize the records: verdicts, causes, evidence, findings
rule summarize_results:
    input:
        records=[clone["record"] for clone in get_expected_clones()],
        sources=get_source_checks(),
    output:
        table="results/results.tsv",
        summary="results/summary.md",
        timeline="results/timeline.png",
    log:
        "results/logs/summarize_results.log",
    localrule: True
    conda:
        "../envs/annex-race.yaml"
    params:
        max_skew=config["max_skew"],
        notes=get_row_notes(),
        expected=get_expected_clones(),
    script:
        "../scripts/summarize-results.py"


# verify that the sources the clones fetched from are unharmed
rule check_sources:
    input:
        unpack(get_source_checks_inputs),
    output:
        "results/sources/{location}/lane-{lane}.json",
    log:
        "results/logs/check_sources/{location}/lane-{lane}.log",
    conda:
        "../envs/annex-race.yaml"
    params:
        scratch=lambda wildcards: str(
            LOCATIONS[wildcards.location].source_root / ".checks"
        ),
        roots=ROOTS,
    script:
        "../scripts/check-sources.py"


# fail the run if a source was harmed (after the summary has said so)
rule confirm_sources_unharmed:
    input:
        sources=get_source_checks(),
        summary=rules.summarize_results.output.summary,
    output:
        touch("results/sources.ok"),
    log:
        "results/logs/confirm_sources_unharmed.log",
    localrule: True
    conda:
        "../envs/annex-race.yaml"
    script:
        "../scripts/confirm-sources-unharmed.py"
