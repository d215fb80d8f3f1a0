# The datasets under study, per location and lane: container_source -> source_ds ->
# input RIA stores. Each rule writes a manifest under results/datasets/<location>/
# describing the dataset it made at the same relative path under the location's
# source_root (see get_dataset_dir). Lane 0 makes the image; every other lane has
# its own copy of the chain (its own origins and locks), the image hardlinked, with
# the datasets its scenarios use. Lane by lane, lane 0 first (get_dataset_priority).


# probe a location's filesystems once: types, one filesystem or two, reflink
rule probe_location:
    output:
        "results/locations/{location}.json",
    log:
        "results/logs/probe_location/{location}.log",
    conda:
        "../envs/annex-race.yaml"
    params:
        roots=get_location_roots,
        deletable=ROOTS,
    script:
        "../scripts/probe-location.py"


# create a dataset holding the container image
rule create_container_source:
    output:
        "results/datasets/{location}/lane-0/container_source/size-{size}.json",
    log:
        "results/logs/create_container_source/{location}/size-{size}.log",
    priority: get_dataset_priority
    conda:
        "../envs/annex-race.yaml"
    params:
        path=get_dataset_dir,
        roots=ROOTS,
    script:
        "../scripts/create-container-source.py"


# give a lane its own container_source: a clone of lane 0's, the image hardlinked
rule copy_container_source:
    input:
        origin=rules.create_container_source.output[0],
    output:
        "results/datasets/{location}/lane-{lane}/container_source/size-{size}.json",
    log:
        "results/logs/copy_container_source/{location}/lane-{lane}/size-{size}.log",
    wildcard_constraints:
        lane=r"[1-9][0-9]*",
    priority: get_dataset_priority
    conda:
        "../envs/annex-race.yaml"
    params:
        path=get_dataset_dir,
        roots=ROOTS,
    script:
        "../scripts/copy-container-source.py"


# create the analysis dataset with `containers` as a subdataset (its .gitmodules URL
# the path of container_source, or an ssh:// URL of it)
rule create_source_ds:
    input:
        container_source="results/datasets/{location}/lane-{lane}/container_source/size-{size}.json",
    output:
        "results/datasets/{location}/lane-{lane}/source_ds/size-{size}{via}.json",
    log:
        "results/logs/create_source_ds/{location}/lane-{lane}/size-{size}{via}.log",
    priority: get_dataset_priority
    conda:
        "../envs/annex-race.yaml"
    params:
        path=get_dataset_dir,
        roots=ROOTS,
        ssh_host=get_ssh_host,
    script:
        "../scripts/create-source-ds.py"


# export the analysis dataset to an input RIA store, with or without storage sibling
rule export_input_ria:
    input:
        source_ds="results/datasets/{location}/lane-{lane}/source_ds/size-{size}{via}.json",
    output:
        "results/datasets/{location}/lane-{lane}/ria/size-{size}_ss-{ss}{via}.json",
    log:
        "results/logs/export_input_ria/{location}/lane-{lane}/size-{size}_ss-{ss}{via}.log",
    priority: get_dataset_priority
    conda:
        "../envs/annex-race.yaml"
    params:
        store=get_dataset_dir,
        roots=ROOTS,
    script:
        "../scripts/export-input-ria.py"


# fetch the image once, for the clones of every lane to link to (workaround prefetch)
rule prefetch_image:
    input:
        ria="results/datasets/{location}/lane-0/ria/size-{size}_ss-off.json",
    output:
        "results/datasets/{location}/prefetch/size-{size}.json",
    log:
        "results/logs/prefetch_image/{location}/size-{size}.log",
    priority: get_dataset_priority
    conda:
        "../envs/annex-race.yaml"
    params:
        path=get_dataset_dir,
        roots=ROOTS,
    script:
        "../scripts/prefetch-image.py"
