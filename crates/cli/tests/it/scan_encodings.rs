//! Text that is not plain UTF-8 with LF: UTF-16 with and without a byte-order mark, in
//! both byte orders, and UTF-8 with a BOM and CRLF line endings.

use serde_json::json;

use crate::common::assert_redacted;
use crate::fixtures::{E, LayerBlob, config, layer, oci_dir, simple_history, utf16le};
use crate::scan::{finding, layer_locations, loc, scan_json};

const GH_BE: &str = "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";
const GH_BE_BOM: &str = "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";
const GL_LE: &str = "glpat-iz0etUbL9WoRBX2IaQYO";
const GL_CRLF: &str = "glpat-vPcQ_xL7OxJqJk6IvAtm";
const PASSWORD: &str = "S3cr3tP4ssw0rd!x";

fn utf16be(text: &str, bom: bool) -> Vec<u8> {
    let mut out = if bom { vec![0xFE, 0xFF] } else { Vec::new() };
    out.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    out
}

#[test]
fn utf16_without_bom_and_utf8_with_bom_and_crlf() {
    let le_no_bom = utf16le(&format!("gitlab = {GL_LE}\r\n"))[2..].to_vec();
    let crlf = format!("\u{feff}# settings\r\nGITLAB = {GL_CRLF}\r\nnext = 1\r\n");
    let l0 = layer(vec![
        E::File("etc/be.txt", utf16be(&format!("token: {GH_BE}\n"), false)),
        E::File("etc/be-bom.txt", utf16be(&format!("token: {GH_BE_BOM}\n"), true)),
        E::File("etc/le.txt", le_no_bom),
        E::File("etc/crlf.txt", crlf.into_bytes()),
        E::File("app/.env", format!("\u{feff}DEBUG=1\r\nDB_PASSWORD={PASSWORD}\r\n").into_bytes()),
    ]);
    let layers = [LayerBlob::gzip(&l0)];
    let dir = oci_dir(&config("linux/amd64", &[], json!({}), simple_history(1), &layers), &layers);
    let (o, doc) = scan_json(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(1), "{doc:#}");
    assert_eq!(doc["complete"], true);

    // (secret, path, offset, encoding): UTF-16 offsets count bytes of the UTF-8 view.
    let expected = [
        (GH_BE, "etc/be.txt", 7, Some("utf-16be")),
        (GH_BE_BOM, "etc/be-bom.txt", 7, Some("utf-16be")),
        (GL_LE, "etc/le.txt", 9, Some("utf-16le")),
        // A BOM and CRLFs are bytes like any other: 3 + "# settings\r\n" + "GITLAB = ".
        (GL_CRLF, "etc/crlf.txt", 3 + 12 + 9, None),
        (PASSWORD, "app/.env", 3 + 9 + 12, None),
    ];
    for (secret, path, offset, encoding) in expected {
        // `finding` matches the whole secret: no `\r`, no BOM in it.
        let f = finding(&doc, secret);
        assert_eq!(layer_locations(f), [loc(0, path, "present_in_final", None)], "{secret}");
        assert_eq!(f["locations"][0]["offset"], offset, "{secret}");
        assert_eq!(f["locations"][0]["text_encoding"], json!(encoding), "{secret}");
    }
    // The .env path rule (`layerleak.path.6`), its value cut at the CR.
    assert_eq!(finding(&doc, PASSWORD)["rule_id"], "layerleak.path.6", "{doc:#}");
    assert_eq!(doc["findings"].as_array().unwrap().len(), expected.len(), "{doc:#}");
    assert_redacted(dir.path(), &[], 1, &expected.map(|e| e.0));
}
