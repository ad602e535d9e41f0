//! Reading a real OSCAL document into the typed model and writing it back loses nothing.

mod common;

use oscal_stig::oscal::{read_value, Document};

#[test]
fn every_reference_oscal_document_round_trips_losslessly() {
    let Some(reference) = common::reference_dir() else { return };
    let files: Vec<_> = common::files_with_ext(&reference, &[".json", ".yaml"])
        .into_iter()
        .filter(|p| {
            let v = read_value(p).ok();
            // Only OSCAL documents: the schemas folder holds JSON that is not one.
            v.as_ref().is_some_and(|v| oscal_stig::oscal::Model::detect(v).is_ok())
        })
        .collect();
    assert!(files.len() >= 20, "expected the reference OSCAL documents, found {}", files.len());
    for path in &files {
        let original = read_value(path).unwrap();
        let doc = Document::from_value(original.clone()).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let written = doc.to_value();
        if written != original {
            let a = serde_json::to_string_pretty(&original).unwrap();
            let b = serde_json::to_string_pretty(&written).unwrap();
            let first = a.lines().zip(b.lines()).position(|(x, y)| x != y);
            panic!("{} changed on round trip near line {:?}", path.display(), first);
        }
    }
}

#[test]
fn unknown_fields_are_kept_in_place() {
    let doc = serde_json::json!({"catalog": {
        "uuid": "5b5e0b5c-6f1b-4c1e-9d2b-1a2b3c4d5e6f",
        "metadata": {"title": "t", "last-modified": "2024-01-01T00:00:00Z", "version": "1", "oscal-version": "1.1.3",
                      "x-future-field": {"nested": [1, 2]}},
        "controls": [{"id": "c-1", "title": "C", "x-vendor": "kept"}]
    }});
    let back = Document::from_value(doc.clone()).unwrap().to_value();
    assert_eq!(back, doc);
    assert_eq!(back["catalog"]["controls"][0]["x-vendor"], "kept");
}
