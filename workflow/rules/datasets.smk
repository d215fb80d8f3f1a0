# Dataset creation and export: container_source -> source_ds -> input RIA stores.
# Each rule writes a manifest (JSON) beside the dataset it makes; later rules read
# paths and the image key from there.


rule container_source:
    output:
        f"{CONTAINER_SOURCE}.json",
    log:
        "results/logs/container_source/size-{size}.log",
    conda:
        "../envs/annex-race.yaml"
    params:
        path=CONTAINER_SOURCE,
        roots=ROOTS,
    script:
        "../scripts/container_source.py"


rule source_ds:
    input:
        container_source=f"{CONTAINER_SOURCE}.json",
    output:
        f"{SOURCE_DS}.json",
    log:
        "results/logs/source_ds/size-{size}.log",
    conda:
        "../envs/annex-race.yaml"
    params:
        path=SOURCE_DS,
        roots=ROOTS,
    script:
        "../scripts/source_ds.py"


rule input_ria:
    input:
        source_ds=f"{SOURCE_DS}.json",
    output:
        f"{INPUT_RIA}.json",
    log:
        "results/logs/input_ria/size-{size}_ss-{ss}.log",
    conda:
        "../envs/annex-race.yaml"
    params:
        store=INPUT_RIA,
        roots=ROOTS,
    script:
        "../scripts/input_ria.py"


rule prefetch:
    """Workaround prefetch: fetch the image once into source_ds's `containers`."""
    input:
        source_ds=f"{SOURCE_DS}.json",
    output:
        f"{PREFETCH}.json",
    log:
        "results/logs/prefetch/size-{size}.log",
    conda:
        "../envs/annex-race.yaml"
    script:
        "../scripts/prefetch.py"
