#!/usr/bin/env python3
"""Verify an Attestly evidence package without Attestly. Needs Python 3.9+ and `cryptography`.

    python verify.py evidence-package.zip

Checks, and prints every break it finds:
1. every file listed in manifest.json has the SHA-256 and size recorded there;
2. items.jsonl forms an unbroken hash chain: each item's chain_hash is the SHA-256 of its
   header fields, and each prev_hash is the chain_hash of the item before it;
3. each item's content (inline in items.jsonl for structured evidence, blobs/<sha256> for
   files) hashes to the item's content_hash, unless the item is a tombstone (content removed
   for privacy: the hash stays and is still chained);
4. each checkpoint's Ed25519 signature verifies against the public key in keys.json, and its
   head hash is the chain hash of the item it names.
Exit status 0 when everything verifies, 1 otherwise.
"""

# ruff: noqa: T201  (a command-line verifier reports by printing)
from __future__ import annotations

import hashlib
import json
import sys
import zipfile
from typing import Any

GENESIS = "0" * 64


def canonical(value: Any) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def header(item: dict[str, Any]) -> list[Any]:
    return [
        1,
        item["seq"],
        item["prev_hash"],
        item["content_hash"],
        item["size"],
        item["media_type"],
        item["source"],
        item["source_ref"],
        item["kind"],
        item["resource_key"],
        item["collected_at"],
        item["effective_from"],
        item["effective_to"],
        item["valid_until"],
        item["filename"],
        item["control_refs"],
    ]


def sha256_member(archive: zipfile.ZipFile, name: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with archive.open(name) as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def verify(path: str) -> list[str]:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    breaks: list[str] = []
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        files: dict[str, dict[str, Any]] = manifest["files"]
        for name, meta in sorted(files.items()):
            if name not in names:
                breaks.append(f"{name}: listed in the manifest but missing")
                continue
            digest, size = sha256_member(archive, name)
            if digest != meta["sha256"] or size != meta["size"]:
                breaks.append(
                    f"{name}: changed (SHA-256 {digest[:16]}…, manifest says "
                    f"{meta['sha256'][:16]}…)"
                )
        for name in sorted(names - set(files) - {"manifest.json"}):
            breaks.append(f"{name}: not listed in the manifest")
        heads: dict[int, str] = {}
        prev, expected, count = GENESIS, 1, 0
        with archive.open("items.jsonl") as fh:
            for line in fh:
                item = json.loads(line)
                count += 1
                what = f"item #{item['seq']} ({item['kind']} {item['resource_key']})"
                if item["seq"] != expected:
                    breaks.append(f"items #{expected}..#{item['seq'] - 1}: missing")
                if item["prev_hash"] != prev:
                    breaks.append(f"{what}: link broken (prev_hash does not match)")
                if hashlib.sha256(canonical(header(item))).hexdigest() != item["chain_hash"]:
                    breaks.append(f"{what}: item changed (chain hash does not match its fields)")
                content = item.get("content")
                if item.get("tombstone") is None and content is not None:
                    actual = hashlib.sha256(content.encode("utf-8")).hexdigest()
                    if actual != item["content_hash"]:
                        breaks.append(f"{what}: content does not match content_hash")
                elif item.get("tombstone") is None:
                    blob = "blobs/" + item["content_hash"]
                    if blob not in names:
                        breaks.append(f"{what}: content {blob} missing")
                    elif sha256_member(archive, blob)[0] != item["content_hash"]:
                        breaks.append(f"{what}: content {blob} does not match content_hash")
                heads[item["seq"]] = item["chain_hash"]
                prev, expected = item["chain_hash"], item["seq"] + 1
        keys: dict[str, str] = json.loads(archive.read("keys.json"))
        checkpoints: list[dict[str, Any]] = json.loads(archive.read("checkpoints.json"))
        for cp in checkpoints:
            what = f"checkpoint at #{cp['seq']} (key {cp['key_id']})"
            message = canonical(
                {
                    "type": "attestly.evidence.checkpoint",
                    "v": 1,
                    "workspace": cp["workspace"],
                    "seq": cp["seq"],
                    "head": cp["head_hash"],
                    "at": cp["signed_at"],
                    "key_id": cp["key_id"],
                }
            )
            public = keys.get(cp["key_id"])
            if public is None:
                breaks.append(f"{what}: public key not in keys.json")
            else:
                try:
                    Ed25519PublicKey.from_public_bytes(bytes.fromhex(public)).verify(
                        bytes.fromhex(cp["signature"]), message
                    )
                except (InvalidSignature, ValueError):
                    breaks.append(f"{what}: bad signature")
            if cp["seq"] and heads.get(cp["seq"]) != cp["head_hash"]:
                breaks.append(f"{what}: signed head does not match the chain")
        print(
            f"{manifest['workspace']}: {count} items, {len(checkpoints)} checkpoints, "
            f"{len(files)} files checked"
        )
    return breaks


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    try:
        breaks = verify(argv[1])
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        print(f"FAILED: the package cannot be read: {exc!r}")
        return 1
    for b in breaks:
        print(f"BREAK: {b}")
    print("FAILED" if breaks else "OK: the package verifies")
    return 1 if breaks else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
