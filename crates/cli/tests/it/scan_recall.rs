//! Recall of the provider-less classes through the whole pipeline: secret-named
//! assignments in every common syntax whose value is hex or base64, and paired credentials
//! found through their first half, in plain text, a UTF-16LE PowerShell script, a binary's
//! string table and far into a 5 MB file; and ordinary code that must stay quiet.

use std::collections::BTreeSet;

use serde_json::json;

use crate::fixtures::{E, LayerBlob, config, layer, oci_dir, simple_history, utf16le};
use crate::scan::{finding, scan_json};

const B64_SLASH: &str = "/8Cr+dzT2qVl+BLpFwT9m9GfL1Lh4ltsX55MxsoDGWC/";
const HEX40: &str = "0ac27b1bfd0f1987f047b7bf932a7deed2235d65";
const B64URL_DASH: &str = "-9QLq4Dcf1V1VrUeQAMsYZ9DoWX2fG1krhqna0xJnAE";
const HEX32: &str = "a4d686a4e4dfdab3298f174d53aa8c15";
const B64PAD: &str = "9vH2ZFJgJlY/yg0hVZA9SpfW/QRLG2WhbKMPIIZmTuY=";
const B64PLUS: &str = "++vwbUcOCGHkSFh+aKDNN2SZCyPsJJRyaU9HZlDdGWj4";
const HEX64: &str = "70d90b07f9622c45df8942d455e412a463c48784f4628c6739a8019af30f8f31";
const B64URL: &str = "1FKvHbiowVsiyrUAuKCq-6LFUQrm8lsJyQRhUouh2hM";
const AWS_ID: &str = "AKIAT73S5P336OH6DDKV";
const AWS_SK: &str = "s5H6GctD5ogtBRBc4xswz4X09cZUfK8vgiqTNInb";
const AWS_ID2: &str = "ASIA42T3K24OCIMITLC6";
const AWS_SK2: &str = "DIXmuvbiAMFl4a0MQ2MCyyu4kBwgaF5nfc3z6Ird";
const LTAI: &str = "LTAI4559uYftkL45DXXS9HxQ";
const LTAI_SK: &str = "ZC0XzrAjmo58PwMMb3XsNNldOaMtcM";
const AKID: &str = "AKIDVkhd7paDn020LdqfCG9KqjT5s2yvmG2T";
const AKID_SK: &str = "wUQQBeZo0FofYZmCyWIr1qsV6sy7tk8d";
const TW_SID: &str = "AC4f3975fc073248f107e3075d13c58b4d";
const TW_TOKEN: &str = "cc4eec634c02d49e2f883895b2fd0771";

/// Bytes that look like a compiled binary: an ELF header and code-like bytes, then the
/// NUL-terminated strings of a read-only data section, padded with NULs to 8-byte
/// alignment, then more code-like bytes.
fn elf_like(strings: &[&str]) -> Vec<u8> {
    let mut out = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0\x3e\0".to_vec();
    let mut x = 0x2545_f491u32;
    let mut junk = |out: &mut Vec<u8>, n: usize| {
        for _ in 0..n {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            out.push(0x80 | (x.to_le_bytes()[0] & 0x7f));
        }
    };
    junk(&mut out, 4096);
    for s in strings {
        out.extend_from_slice(s.as_bytes());
        out.push(0);
        out.resize(out.len().next_multiple_of(8), 0);
    }
    junk(&mut out, 4096);
    out
}

/// Five MB of log lines, the AWS pair near the end.
fn big_log() -> Vec<u8> {
    let mut out = Vec::with_capacity(5 << 20);
    let mut i = 0u64;
    while out.len() < (5 << 20) - 400 {
        out.extend_from_slice(
            format!("2026-12-07T10:00:{:02}Z INFO request {i} ok\n", i % 60).as_bytes(),
        );
        i += 1;
    }
    out.extend_from_slice(format!("creds loaded id={AWS_ID2} region=eu-west-1\n").as_bytes());
    out.extend_from_slice(format!("key={AWS_SK2}\n").as_bytes());
    out
}

#[test]
fn hex_and_base64_assignments_and_pairs_in_every_syntax() {
    let ps1 = format!(
        "$ErrorActionPreference = 'Stop'\r\n$env:API_KEY = \"{B64PLUS}\"\r\n$Id = '{LTAI}'\r\n$Region = 'cn-hangzhou'\r\n$Key = '{LTAI_SK}'\r\n"
    );
    let binary = elf_like(&[
        "GLIBC_2.34",
        AWS_ID,
        "us-east-1",
        AWS_SK,
        "account_sid",
        TW_SID,
        TW_TOKEN,
        AKID_SK,
        "ap-guangzhou",
        AKID,
    ]);
    let log = big_log();
    let quiet = [
        "import hashlib, os",
        "next_token = \"pYwTxx7Vx9jtCRCjBJYsfvOZkYANxVI8+57AOS8jeRk=\"",
        "resp = {\"NextContinuationToken\": \"EW7tVi2iQmLcpnkSnFbACk3ODYCG2qCHn5TD/1va7bA=\", \"pageToken\": \"U1CUQbRyAALDGu9tWBjz2T-Mvmzr3oTtolYXgp7qaBU\"}",
        "checksum = \"ac3cec24773db77c58e845a72d520645a9c06c4dbfd608736a82f3dad01d194e\"",
        "sha256: 6722fcc34450ff408fe51329d2cdc1d90782a1e23f83144ba4006b67634413ac",
        "\"integrity\": \"sha512-2EAnQnS2m20vPRwV1r/MRAtEIWCLCOGUfBq2dJ3Cr0vkv43Zfb/oAU9RCn/RuOY1BrIGYbl826JmRyW+DJUJ7Q==\"",
        "digest = \"sha256:0c9de1ad23c7b2f5bddb2ec21487ceb527d236fec6beaf7367ae2779b93f7d84\"",
        "SECRET_KEY = os.environ[\"SECRET_KEY\"]",
        "api_key = \"${API_KEY}\"",
        "client_secret = \"%CLIENT_SECRET%\"",
        "request_id = \"5f2ca963-5310-4f88-a053-fc3fcdceab11\"",
        "token: V1ServiceAccountTokenProjectionWithLongName",
        "private_key: /etc/ssl/private/server2024.key",
        "password = \"804225f969f1a6e7c618c8fc9d640075fcc2efb086dfede1589caba552abb45d\"",
        "ENV GPG_KEY=7169605F62C751356D054A26A821E680E5FA6305",
        "commit = \"9c8b7a6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b\"",
    ]
    .join("\n");
    let text = [
        ("app/.env", format!("DEBUG=0\nAPI_SECRET={B64_SLASH}\n")),
        ("deploy/run.sh", format!("#!/bin/sh\nexport DB_PASSWORD='{HEX40}'\nexec app\n")),
        ("etc/app/config.yml", format!("oauth:\n  client_secret: {B64URL_DASH}\n")),
        ("srv/app.json", format!("{{\"name\": \"app\", \"apiKey\": \"{HEX32}\"}}\n")),
        ("etc/app/settings.ini", format!("[auth]\nsecret_key = \"{B64PAD}\"\n")),
        ("app/application.properties", format!("app.name=shop\napp.secret.key={HEX64}\n")),
        ("app/settings.py", format!("DEBUG = False\nSECRET_KEY = '{B64URL}'\n")),
        ("src/app/pager.py", quiet),
    ];
    let mut entries: Vec<E<'_>> =
        text.iter().map(|(p, t)| E::File(p, t.clone().into_bytes())).collect();
    entries.push(E::File("opt/deploy.ps1", utf16le(&ps1)));
    entries.push(E::File("usr/lib/libpay.so", binary.clone()));
    entries.push(E::File("var/log/app.log", log.clone()));
    let l0 = layer(entries);
    let layers = [LayerBlob::gzip(&l0)];
    let dir = oci_dir(&config("linux/amd64", &[], json!({}), simple_history(1), &layers), &layers);
    let (o, doc) = scan_json(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(1), "{doc:#}");
    assert_eq!(doc["complete"], true);

    // (secret, path, rule); the offset is where the secret is in the file's text (for the
    // UTF-16 script, in its UTF-8 view).
    let expected = [
        (B64_SLASH, "app/.env", "layerleak.generic.10"),
        (HEX40, "deploy/run.sh", "layerleak.generic.5"),
        (B64URL_DASH, "etc/app/config.yml", "layerleak.generic.10"),
        (HEX32, "srv/app.json", "layerleak.generic.5"),
        (B64PAD, "etc/app/settings.ini", "layerleak.generic.3"),
        (B64PLUS, "opt/deploy.ps1", "layerleak.generic.10"),
        (LTAI, "opt/deploy.ps1", "layerleak.alibaba.1"),
        (LTAI_SK, "opt/deploy.ps1", "layerleak.alibaba.3"),
        (HEX64, "app/application.properties", "layerleak.generic.5"),
        (B64URL, "app/settings.py", "layerleak.generic.3"),
        (AWS_ID, "usr/lib/libpay.so", "layerleak.aws.1"),
        (AWS_SK, "usr/lib/libpay.so", "layerleak.aws.7"),
        (TW_TOKEN, "usr/lib/libpay.so", "layerleak.twilio.3"),
        (AKID, "usr/lib/libpay.so", "layerleak.tencent.1"),
        (AKID_SK, "usr/lib/libpay.so", "layerleak.tencent.3"),
        (AWS_ID2, "var/log/app.log", "layerleak.aws.1"),
        (AWS_SK2, "var/log/app.log", "layerleak.aws.7"),
    ];
    let content = |path: &str| -> &[u8] {
        match path {
            "opt/deploy.ps1" => ps1.as_bytes(),
            "usr/lib/libpay.so" => &binary,
            "var/log/app.log" => &log,
            _ => text.iter().find(|(p, _)| *p == path).map(|(_, t)| t.as_bytes()).unwrap(),
        }
    };
    let offset = |path: &str, secret: &str| {
        let c = content(path);
        c.windows(secret.len()).position(|w| w == secret.as_bytes()).unwrap() as u64
    };
    assert!(offset("var/log/app.log", AWS_SK2) > 5_000_000);
    for (secret, path, rule) in &expected {
        let f = finding(&doc, secret);
        let l = &f["locations"][0];
        assert_eq!(
            (
                f["rule_id"].as_str().unwrap(),
                l["path"].as_str().unwrap(),
                l["offset"].as_u64().unwrap()
            ),
            (*rule, *path, offset(path, secret)),
            "{secret}: {f:#}"
        );
        assert_eq!(f["locations"].as_array().unwrap().len(), 1, "{f:#}");
    }
    let found: BTreeSet<&str> =
        doc["findings"].as_array().unwrap().iter().map(|f| f["secret"].as_str().unwrap()).collect();
    let want: BTreeSet<&str> = expected.iter().map(|e| e.0).collect();
    assert_eq!(found, want, "ordinary code must stay quiet: {doc:#}");
}
