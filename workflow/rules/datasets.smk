# The datasets under study: container_source -> source_ds -> input RIA stores.
# Each rule writes a manifest under results/datasets/ describing the dataset it
# made at the same relative path under source_root (see get_dataset_dir).


# create a dataset holding the container image
rule create_container_source:
    output:
        "results/datasets/container_source/size-{size}.json",
    log:
        "results/logs/create_container_source/size-{size}.log",
    conda:
        "../envs/annex-race.yaml"
    params:
        path=get_dataset_dir,
        roots=ROOTS,
    script:
        "../scripts/create-container-source.py"


# create the analysis dataset with `containers` as a subdataset
rule create_source_ds:
    input:
        container_source=rules.create_container_source.output[0],
    output:
        "results/datasets/source_ds/size-{size}.json",
    log:
        "results/logs/create_source_ds/size-{size}.log",
    conda:
        "../envs/annex-race.yaml"
    params:
        path=get_dataset_dir,
        roots=ROOTS,
    script:
        "../scripts/create-source-ds.py"


# export the analysis dataset to an input RIA store, with or without storage sibling
rule export_input_ria:
    input:
        source_ds=rules.create_source_ds.output[0],
    output:
        "results/datasets/ria/size-{size}_ss-{ss}.json",
    log:
        "results/logs/export_input_ria/size-{size}_ss-{ss}.log",
    conda:
        "../envs/annex-race.yaml"
    params:
        store=get_dataset_dir,
        roots=ROOTS,
    script:
        "../scripts/export-input-ria.py"


# fetch the image once, for the clones to link to (workaround prefetch)
rule prefetch_image:
    input:
        source_ds=rules.create_source_ds.output[0],
    output:
        "results/datasets/prefetch/size-{size}.json",
    log:
        "results/logs/prefetch_image/size-{size}.log",
    conda:
        "../envs/annex-race.yaml"
    script:
        "../scripts/prefetch-image.py"
