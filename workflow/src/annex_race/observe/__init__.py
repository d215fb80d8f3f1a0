"""Reading what happened: git-annex's and DataLad's lines, the shared repositories
before and after a round, the sources' integrity, the output repository, jobs that
died without a record."""
