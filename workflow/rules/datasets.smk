# The datasets under study, per location and lane: container_source -> source_ds ->
# input RIA stores. Each rule writes a manifest (annex_race.core.layout) describing the
# dataset it made at the same relative path under the location's source_root. Lane 0
# makes the image; every other lane has its own copy of the chain (its own origins
# and locks), the image hardlinked, with the datasets its scenarios use (the plan
# says which). Lane by lane, lane 0 first (get_dataset_priority).


# probe a location's filesystems once: types, one filesystem or two, reflink
rule probe_location:
    output:
        layout.LOCATION_PROBE,
    log:
        "results/logs/probe_location/{location}.log",
    conda:
        "../envs/annex-race.yaml"
    params:
        roots=get_location_roots,
        deletable=PLAN.roots,
    script:
        "../scripts/probe-location.py"


# create a dataset holding the container image
rule create_container_source:
    output:
        layout.CONTAINER_SOURCE.replace("{lane}", "0"),
    log:
        "results/logs/create_container_source/{location}/size-{size}.log",
    priority: get_dataset_priority
    conda:
        "../envs/annex-race.yaml"
    params:
        path=get_dataset_dir,
        roots=PLAN.roots,
    script:
        "../scripts/create-container-source.py"


# give a lane its own container_source: a clone of lane 0's, the image hardlinked
rule copy_container_source:
    input:
        origin=rules.create_container_source.output[0],
    output:
        layout.CONTAINER_SOURCE,
    log:
        "results/logs/copy_container_source/{location}/lane-{lane}/size-{size}.log",
    wildcard_constraints:
        lane=r"[1-9][0-9]*",
    priority: get_dataset_priority
    conda:
        "../envs/annex-race.yaml"
    params:
        path=get_dataset_dir,
        roots=PLAN.roots,
    script:
        "../scripts/copy-container-source.py"


# create the analysis dataset with `containers` as a subdataset (its .gitmodules URL
# the path of container_source, or an ssh:// URL of it)
rule create_source_ds:
    input:
        container_source=layout.CONTAINER_SOURCE,
    output:
        layout.SOURCE_DS,
    log:
        "results/logs/create_source_ds/{location}/lane-{lane}/size-{size}_{transport}.log",
    priority: get_dataset_priority
    conda:
        "../envs/annex-race.yaml"
    params:
        path=get_dataset_dir,
        roots=PLAN.roots,
        ssh_host=get_ssh_host,
    script:
        "../scripts/create-source-ds.py"


# export the analysis dataset to an input RIA store, with or without storage sibling
rule export_input_ria:
    input:
        source_ds=layout.SOURCE_DS,
    output:
        layout.RIA,
    log:
        "results/logs/export_input_ria/{location}/lane-{lane}/size-{size}_{storage_sibling}_{transport}.log",
    priority: get_dataset_priority
    conda:
        "../envs/annex-race.yaml"
    params:
        store=get_dataset_dir,
        roots=PLAN.roots,
    script:
        "../scripts/export-input-ria.py"


# fetch the image once, for the clones of every lane to link to (workaround prefetch)
rule prefetch_image:
    input:
        ria=layout.RIA.format(
            location="{location}",
            lane=0,
            size="{size}",
            storage_sibling="off",
            transport="local",
        ),
    output:
        layout.PREFETCH,
    log:
        "results/logs/prefetch_image/{location}/size-{size}.log",
    priority: get_dataset_priority
    conda:
        "../envs/annex-race.yaml"
    params:
        path=get_dataset_dir,
        roots=PLAN.roots,
    script:
        "../scripts/prefetch-image.py"
