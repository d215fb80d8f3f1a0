"""From the configuration and what earlier runs left on disk to the plan: the
scenario matrix, lanes, rounds, progress, the plan itself, the space it needs."""
