"""From records to what people read: the scenario table (results/scenarios.tsv), the
findings and decisions read from it, the figures, the summary, the bug report and
the cards."""
