#!/usr/bin/env python3
"""Writes benches/audit.sh's image set: 10 repositories x 3 tags as OCI layout
directories OUT/appR_vT, each image three gzip layers: a base shared by all (with a
GitLab token), its repository's layer (repository 1's with an npm token), and its tag's
own layer (app0:v0's with a GitHub token). Content is text-like (letters, spaces,
newlines from a seeded generator), so it compresses about as source trees do.

    gen_audit_set.py OUT BASE_MIB REPO_MIB TAG_MIB
"""
import gzip
import hashlib
import io
import json
import os
import random
import sys
import tarfile

GL = b"glpat-PPjRfdqok10wwQZEDe0I"
NPM = b"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"
GH = b"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"
ALPHABET = bytes(b"abcdefghijklmnopqrstuvwxyz      \n" * 8)[:256]


def text(seed, mib):
    rng = random.Random(seed)
    return rng.randbytes(mib << 20).translate(ALPHABET)


def layer(files):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            t.addfile(info, io.BytesIO(data))
    raw = buf.getvalue()
    return raw, gzip.compress(raw, compresslevel=6, mtime=0)


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def write_blob(out, data):
    digest = sha(data)
    path = os.path.join(out, "blobs", "sha256", digest.split(":")[1])
    with open(path, "wb") as f:
        f.write(data)
    return {"digest": digest, "size": len(data)}


def image(out, layers):
    os.makedirs(os.path.join(out, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(out, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    config = {
        "architecture": "amd64",
        "os": "linux",
        "config": {"Env": ["PATH=/bin"]},
        "rootfs": {"type": "layers", "diff_ids": [sha(raw) for raw, _ in layers]},
        "history": [{"created_by": f"layer {i}"} for i in range(len(layers))],
    }
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": dict(mediaType="application/vnd.oci.image.config.v1+json",
                       **write_blob(out, json.dumps(config).encode())),
        "layers": [dict(mediaType="application/vnd.oci.image.layer.v1.tar+gzip",
                        **write_blob(out, gz)) for _, gz in layers],
    }
    desc = dict(mediaType=manifest["mediaType"], **write_blob(out, json.dumps(manifest).encode()))
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [desc]}, f)


def main():
    out, base_mib, repo_mib, tag_mib = sys.argv[1], *map(int, sys.argv[2:5])
    base = layer([("usr/share/base.txt", text("base", base_mib)), ("etc/base.conf", b"gitlab=" + GL + b"\n")])
    unique = len(base[0])
    total = 0
    for r in range(10):
        files = [(f"srv/app{r}/data.txt", text(f"repo{r}", repo_mib))]
        if r == 1:
            files.append((f"srv/app{r}/app.conf", b"npm=" + NPM + b"\n"))
        repo = layer(files)
        unique += len(repo[0])
        for t in range(3):
            files = [("srv/build.txt", text(f"tag{r}.{t}", tag_mib))]
            if (r, t) == (0, 0):
                files.append(("srv/token", GH + b"\n"))
            own = layer(files)
            unique += len(own[0])
            layers = [base, repo, own]
            total += sum(len(raw) for raw, _ in layers)
            image(os.path.join(out, f"app{r}_v{t}"), layers)
    print(f"images: 30 (10 repositories x 3 tags), layers: {base_mib} MiB base + {repo_mib} MiB per repository + {tag_mib} MiB per tag")
    print(f"uncompressed layer bytes: {unique} unique, {total} over the 30 images")


main()
