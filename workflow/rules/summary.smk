# Every clone record -> the results table, the summary, the bug report, one card per
# scenario and the figures; all of them in `snakemake --report results/report.html`.


# summarize the records: verdicts, causes, evidence, findings, figures
rule summarize_results:
    input:
        records=[clone["record"] for clone in PLAN.expected_clones("matrix")],
        sources=PLAN.source_verifications("matrix"),
        writes=PLAN.all_writes("matrix"),
    output:
        table=report(
            layout.OUTPUTS["table"],
            caption="../report/results.rst",
            category="Summary",
            labels={"what": "results table (one row per clone)"},
        ),
        summary=layout.OUTPUTS["summary"],
        summary_html=report(
            layout.OUTPUTS["summary_html"],
            caption="../report/summary.rst",
            category="Summary",
            labels={"what": "summary: verdicts, findings, evidence"},
        ),
        bug_report=layout.OUTPUTS["bug_report"],
        bug_report_html=report(
            layout.OUTPUTS["bug_report_html"],
            caption="../report/bug-report.rst",
            category="Summary",
            labels={"what": "bug report, ready to paste"},
        ),
        scenarios=report(
            directory(layout.OUTPUTS["scenarios"]),
            patterns=[layout.CARD],
            caption="../report/scenario.rst",
            category="Scenarios in {location}",
            subcategory="storage sibling {storage_sibling}",
            labels=get_card_labels,
        ),
        timeline=report(
            layout.OUTPUTS["timeline"],
            caption="../report/timeline.rst",
            category="Figures",
            labels={"figure": "timeline"},
        ),
        heatmap=report(
            layout.OUTPUTS["heatmap"],
            caption="../report/heatmap.rst",
            category="Figures",
            labels={"figure": "verdict heatmap"},
        ),
        durations=report(
            layout.OUTPUTS["durations"],
            caption="../report/durations.rst",
            category="Figures",
            labels={"figure": "get durations and attempts"},
        ),
        summary_table=report(
            layout.OUTPUTS["summary_table"],
            caption="../report/summary-table.rst",
            category="Figures",
            labels={"figure": "summary table"},
        ),
        versions=report(
            layout.OUTPUTS["versions"],
            caption="../report/versions.rst",
            category="Figures",
            labels={"figure": "git-annex version map"},
        ),
        conformance=layout.OUTPUTS["conformance"],
        conformance_figure=report(
            layout.OUTPUTS["conformance_figure"],
            caption="../report/conformance.rst",
            category="Figures",
            labels={"figure": "push operations beside upstream"},
        ),
    log:
        "results/logs/summarize_results.log",
    localrule: True
    conda:
        "../envs/annex-race.yaml"
    params:
        max_skew=config["max_skew"],
        max_rounds=config["max_rounds"],
        heatmap=config["heatmap"],
        notes=PLAN.row_notes(),
        expected=PLAN.expected_clones("matrix"),
        configfiles=configfiles(),
    script:
        "../scripts/summarize-results.py"


# verify that the sources a lane's clones fetched from are unharmed
rule verify_sources:
    input:
        unpack(get_source_verification_inputs),
    output:
        layout.SOURCES,
    log:
        "results/logs/verify_sources/{suite}/{location}/lane-{lane}.log",
    localrule: True
    conda:
        "../envs/annex-race.yaml"
    params:
        scratch=get_scratch,
        roots=PLAN.roots,
    script:
        "../scripts/verify-sources.py"


# fail the run if a source was harmed (after the summary has said so)
rule confirm_sources_unharmed:
    input:
        sources=PLAN.source_verifications("matrix"),
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


# "is my site affected?": the smallest decisive scenario with the site's git-annex
rule check:
    """Run on its own (`snakemake check`): the site's git-annex (`system`) in the
    configured locations, with and without each workaround; results/check.md says in
    one paragraph whether the site is affected, why, and the cheapest workaround."""
    input:
        unpack(get_site_check_inputs),
    output:
        layout.SITE_CHECK,
    log:
        "results/logs/check.log",
    localrule: True
    conda:
        "../envs/annex-race.yaml"
    params:
        expected=PLAN.expected_clones("site"),
        max_skew=config["max_skew"],
    script:
        "../scripts/check-site.py"
