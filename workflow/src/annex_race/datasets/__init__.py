"""What the rules make before any round: each location probed, the datasets under
study (container_source, source_ds, the input RIA stores, the prefetched image)."""
