# Every clone record -> the tables (results.tsv, one row per clone; scenarios.tsv, one
# row per scenario), and from the tables: the summary and the bug report, the figures,
# one card per scenario; all of them in `snakemake --report results/report.html`.


# the records as tables: every verdict, cause and axis, what the jobs wrote
rule tabulate_results:
    input:
        records=[clone["record"] for clone in PLAN.expected_clones("matrix")],
        writes=PLAN.all_writes("matrix"),
        verified=PLAN.output_verifications("matrix"),
    output:
        results=report(
            layout.TABLES["results"],
            caption="../report/results.rst",
            category="Summary",
            labels={"what": "results table (one row per clone)"},
        ),
        scenarios=report(
            layout.TABLES["scenarios"],
            caption="../report/scenarios.rst",
            category="Summary",
            labels={"what": "scenario table (one row per scenario)"},
        ),
    log:
        "results/logs/tabulate_results.log",
    # what the summary costs against the number of records (benchmarks/scale.py)
    benchmark:
        "results/benchmarks/summary/tabulate_results.tsv"
    localrule: True
    conda:
        "../envs/annex-race.yaml"
    params:
        expected=PLAN.expected_clones("matrix"),
        max_skew=SUMMARY["max_skew"],
        max_rounds=SUMMARY["max_rounds"],
        notes=SUMMARY["notes"],
    script:
        "../scripts/tabulate-results.py"


# the summary and the bug report (Markdown and HTML), the conformance table
rule write_summary:
    input:
        results=rules.tabulate_results.output.results,
        scenarios=rules.tabulate_results.output.scenarios,
        sources=PLAN.source_verifications("matrix"),
        writes=PLAN.all_writes("matrix"),
    output:
        summary=layout.PAGES["summary"],
        summary_html=report(
            layout.PAGES["summary_html"],
            caption="../report/summary.rst",
            category="Summary",
            labels={"what": "summary: verdicts, findings, evidence"},
        ),
        bug_report=layout.PAGES["bug_report"],
        bug_report_html=report(
            layout.PAGES["bug_report_html"],
            caption="../report/bug-report.rst",
            category="Summary",
            labels={"what": "bug report, ready to paste"},
        ),
        conformance=layout.PAGES["conformance"],
    log:
        "results/logs/write_summary.log",
    # what the summary costs against the number of records (benchmarks/scale.py)
    benchmark:
        "results/benchmarks/summary/write_summary.tsv"
    localrule: True
    conda:
        "../envs/annex-race.yaml"
    params:
        configfiles=SUMMARY["configfiles"],
    script:
        "../scripts/write-summary.py"


# the figures of the tables
rule draw_figures:
    input:
        results=rules.tabulate_results.output.results,
        scenarios=rules.tabulate_results.output.scenarios,
    output:
        timeline=report(
            layout.FIGURES["timeline"],
            caption="../report/timeline.rst",
            category="Figures",
            labels={"figure": "timeline"},
        ),
        heatmap=report(
            layout.FIGURES["heatmap"],
            caption="../report/heatmap.rst",
            category="Figures",
            labels={"figure": "verdict heatmap"},
        ),
        durations=report(
            layout.FIGURES["durations"],
            caption="../report/durations.rst",
            category="Figures",
            labels={"figure": "get durations and attempts"},
        ),
        summary_table=report(
            layout.FIGURES["summary_table"],
            caption="../report/summary-table.rst",
            category="Figures",
            labels={"figure": "summary table"},
        ),
        versions=report(
            layout.FIGURES["versions"],
            caption="../report/versions.rst",
            category="Figures",
            labels={"figure": "git-annex version map"},
        ),
        conformance_figure=report(
            layout.FIGURES["conformance_figure"],
            caption="../report/conformance.rst",
            category="Figures",
            labels={"figure": "push operations beside upstream"},
        ),
    log:
        "results/logs/draw_figures.log",
    benchmark:
        "results/benchmarks/summary/draw_figures.tsv"
    localrule: True
    conda:
        "../envs/annex-race.yaml"
    params:
        heatmap=SUMMARY["heatmap"],
    script:
        "../scripts/draw-figures.py"


# one card per scenario, with the command that reruns it alone
rule write_scenario_cards:
    input:
        results=rules.tabulate_results.output.results,
        scenarios=rules.tabulate_results.output.scenarios,
    output:
        cards=report(
            directory(layout.CARDS),
            patterns=[layout.CARD],
            caption="../report/scenario.rst",
            category="Scenarios in {location}",
            subcategory="storage sibling {storage_sibling}",
            labels=get_card_labels,
        ),
    log:
        "results/logs/write_scenario_cards.log",
    localrule: True
    conda:
        "../envs/annex-race.yaml"
    params:
        configfiles=SUMMARY["configfiles"],
    script:
        "../scripts/write-scenario-cards.py"


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
        summary=rules.write_summary.output.summary,
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
        max_skew=SUMMARY["max_skew"],
    script:
        "../scripts/check-site.py"
