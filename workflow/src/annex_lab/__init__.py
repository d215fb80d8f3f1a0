"""The filesystem lab: loop-mounted btrfs, XFS, ext4, tmpfs and a throttled FUSE
filesystem on one machine, standing in for a laptop and a cluster. Apart from the
workflow's package: no job imports it; the workflow only reads the locations it
writes (`python -m annex_lab up`, then --configfile results/lab/locations.yaml)."""
