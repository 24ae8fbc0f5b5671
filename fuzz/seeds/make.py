#!/usr/bin/env python3
"""Writes the seed corpus of each fuzz target into DIR/<target>/ (default fuzz/corpus).

Seeds are small, valid inputs of each format (so the fuzzer starts from deep in the parsers
rather than at magic bytes): tar layers plain, gzip and zstd (`zstd` CLI), with whiteouts,
links, PAX and GNU long names, sparse and header-only entries; zip/jar/whl and nested
archives; `docker save` streams in the legacy and the OCI layout. Standard library only,
plus the `zstd` command when present.
"""

import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile

TOKEN = b"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"


def tar_bytes(members, fmt=tarfile.GNU_FORMAT):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=fmt) as t:
        for info, data in members:
            t.addfile(info, io.BytesIO(data) if data is not None else None)
    return out.getvalue()


def file(name, data, **kw):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for k, v in kw.items():
        setattr(info, k, v)
    return info, data


def entry(name, kind, **kw):
    info = tarfile.TarInfo(name)
    info.type = kind
    for k, v in kw.items():
        setattr(info, k, v)
    return info, None


def zip_bytes(files, method=zipfile.ZIP_DEFLATED):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as z:
        for name, data in files:
            z.writestr(name, data)
    return out.getvalue()


def zstd(data):
    if not shutil.which("zstd"):
        return None
    return subprocess.run(["zstd", "-q", "-c"], input=data, stdout=subprocess.PIPE, check=True).stdout


def layers():
    env = b"API_TOKEN=" + TOKEN + b"\n"
    plain = tar_bytes([
        entry("app/", tarfile.DIRTYPE),
        file("app/.env", env),
        entry("app/link", tarfile.SYMTYPE, linkname="/etc/" + TOKEN.decode()),
        entry("app/hard", tarfile.LNKTYPE, linkname="app/.env"),
        file("app/.wh.old", b""),
        file("etc/.wh..wh..opq", b""),
        file("a/" + "long/" * 30 + "name.txt", b"password=" + TOKEN),
        entry("dev/fifo", tarfile.FIFOTYPE),
        file("utf16.ps1", "\ufeff$token = '{}'\n".format(TOKEN.decode()).encode("utf-16-le")),
    ])
    pax = tar_bytes([file("pax/" + "p" * 120 + ".env", env, pax_headers={"comment": "x"})], tarfile.PAX_FORMAT)
    jar = zip_bytes([("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n"), ("application.yml", b"token: " + TOKEN)])
    nested = tar_bytes([file("app/app.jar", jar), file("var/log/app.log.gz", gzip.compress(env))])
    seeds = {"plain.tar": plain, "pax.tar": pax, "nested.tar": nested, "plain.tar.gz": gzip.compress(plain)}
    z = zstd(plain)
    if z:
        seeds["plain.tar.zst"] = z
    return seeds


def nested():
    # The target takes one byte choosing the file's name, then the bytes.
    jar = zip_bytes([("BOOT-INF/classes/application.yml", b"token: " + TOKEN)])
    inner = zip_bytes([("lib/inner.jar", jar)], zipfile.ZIP_STORED)
    tgz = gzip.compress(tar_bytes([file("conf/.env", b"SECRET=" + TOKEN)]))
    seeds = {"jar": b"\x00" + jar, "jar-in-jar": b"\x00" + inner, "stub-jar": b"\x00#!/bin/sh\nexec java -jar $0\n" + jar,
             "tar.gz": b"\x04" + tgz, "gz": b"\x05" + gzip.compress(TOKEN)}
    z = zstd(TOKEN)
    if z:
        seeds["zst"] = b"\x06" + z
    return seeds


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def save_streams():
    layer = tar_bytes([file("app/.env", b"API_TOKEN=" + TOKEN + b"\n")])
    layer_gz = gzip.compress(layer)
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"Env": ["PATH=/bin", "NPM_TOKEN=" + TOKEN.decode()], "Labels": {"k": "v"}},
        "rootfs": {"type": "layers", "diff_ids": [sha(layer)]},
        "history": [{"created_by": "|1 TOKEN=x /bin/sh -c echo", "comment": "c"}, {"created_by": "ENV A=b", "empty_layer": True}],
    }).encode()
    # Legacy: <id>/layer.tar, <config>.json, manifest.json.
    legacy = tar_bytes([
        file("abc/layer.tar", layer),
        file("cfg.json", config),
        file("manifest.json", json.dumps([{"Config": "cfg.json", "RepoTags": ["app:1"], "Layers": ["abc/layer.tar"]}]).encode()),
    ])
    # Docker 25+: an OCI layout with blobs/sha256/<hex>, index.json and manifest.json.
    blobs = {}

    def blob(data):
        d = sha(data)
        blobs["blobs/sha256/" + d[7:]] = data
        return {"digest": d, "size": len(data)}

    cfg = dict(blob(config), mediaType="application/vnd.oci.image.config.v1+json")
    lay = dict(blob(layer_gz), mediaType="application/vnd.oci.image.layer.v1.tar+gzip")
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": cfg, "layers": [lay]}).encode()
    man = dict(blob(manifest), mediaType="application/vnd.oci.image.manifest.v1+json",
               platform={"os": "linux", "architecture": "amd64"})
    index = json.dumps({"schemaVersion": 2, "manifests": [man]}).encode()
    members = [file(k, v) for k, v in blobs.items()]
    members += [
        file("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'),
        file("index.json", index),
        file("manifest.json", json.dumps([{"Config": "blobs/sha256/" + cfg["digest"][7:], "RepoTags": ["app:2"],
                                           "Layers": ["blobs/sha256/" + lay["digest"][7:]]}]).encode()),
    ]
    return {"legacy.tar": legacy, "oci.tar": tar_bytes(members)}


def path_status():
    # Arbitrary's encoding is not stable to write by hand: a few random-looking starts.
    return {f"seed{i}": hashlib.sha256(bytes([i])).digest() * 4 for i in range(4)}


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "corpus")
    for target, seeds in {"layer_walk": layers(), "nested_content": nested(), "save_stream": save_streams(),
                          "path_status": path_status(), "stream_scan": {"token": b"\x00\x00" + b"x=" + TOKEN}}.items():
        d = os.path.join(root, target)
        os.makedirs(d, exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(d, "seed-" + name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
