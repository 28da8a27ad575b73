//! Page keys: a hash of everything a page is rendered from, so that a build keeps the pages whose
//! key the output already holds instead of rendering them again.

use serde_json::Value;

use super::GENERATOR;
use super::context::Prepared;
use super::pages::Page;
use super::theme::Theme;

/// Hashes everything a page is rendered from: the language's fingerprint ([`page_fingerprints`]),
/// the template name, the output path and every value of its context but `site` and `t` (which are
/// in the fingerprint). A template sees nothing else: the same key renders the same page.
pub(super) fn page_key(fingerprint: u64, page: &Page) -> u64 {
    thread_local! {
        // The bytes are gathered and hashed in one call: xxh3 fed a few bytes at a time costs more
        // than the copy.
        static BYTES: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BYTES.with_borrow_mut(|b| {
        b.clear();
        b.extend_from_slice(page.template.as_bytes());
        b.push(0);
        b.extend_from_slice(page.path.as_bytes());
        for (k, v) in page.ctx.iter().filter(|(k, _)| *k != "site" && *k != "t") {
            key_str(b, k);
            key_value(b, v);
        }
        xxhash_rust::xxh3::xxh3_64_with_seed(b, fingerprint)
    })
}

fn key_str(b: &mut Vec<u8>, s: &str) {
    b.extend_from_slice(&(s.len() as u64).to_le_bytes());
    b.extend_from_slice(s.as_bytes());
}

/// A value's bytes for [`page_key`], not serialized (JSON escaping was most of a key's cost): a tag
/// per kind and a length before every string and list, so two different values never give the same
/// bytes.
fn key_value(b: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Null => b.push(b'n'),
        Value::Bool(t) => b.push(if *t { b't' } else { b'f' }),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                b.push(b'u');
                b.extend_from_slice(&u.to_le_bytes());
            } else if let Some(i) = n.as_i64() {
                b.push(b'i');
                b.extend_from_slice(&i.to_le_bytes());
            } else {
                b.push(b'd');
                b.extend_from_slice(&n.as_f64().unwrap_or_default().to_bits().to_le_bytes());
            }
        }
        Value::String(s) => {
            b.push(b's');
            key_str(b, s);
        }
        Value::Array(a) => {
            b.push(b'[');
            b.extend_from_slice(&(a.len() as u64).to_le_bytes());
            for x in a {
                key_value(b, x);
            }
        }
        Value::Object(m) => {
            b.push(b'{');
            b.extend_from_slice(&(m.len() as u64).to_le_bytes());
            for (k, x) in m {
                key_str(b, k);
                key_value(b, x);
            }
        }
    }
}

/// Per language: kbfresh's version, every template (name and text) and the context values every
/// page of the language shares (`site`, `t`). `None` when a template reads the environment
/// (`get_env`, Tera's one input besides the context): then every page is rendered.
pub(super) fn page_fingerprints(theme: &Theme, prepared: &Prepared) -> Option<Vec<u64>> {
    if theme
        .templates
        .values()
        .any(|(_, text)| text.contains("get_env"))
    {
        return None;
    }
    let mut common = xxhash_rust::xxh3::Xxh3::new();
    common.update(GENERATOR.as_bytes());
    for (name, (_, text)) in &theme.templates {
        common.update(name.as_bytes());
        common.update(b"\0");
        common.update(text.as_bytes());
        common.update(b"\0");
    }
    let common = common.digest();
    prepared
        .langs
        .iter()
        .map(|l| {
            let mut bytes = common.to_le_bytes().to_vec();
            key_value(&mut bytes, &l.site_value);
            key_value(&mut bytes, &l.words.t);
            xxhash_rust::xxh3::xxh3_64(&bytes)
        })
        .collect::<Vec<u64>>()
        .into()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn page_key_bytes_tell_values_apart() {
        let bytes = |v: Value| {
            let mut b = Vec::new();
            key_value(&mut b, &v);
            b
        };
        let pairs = [
            (json!(["ab", "c"]), json!(["a", "bc"])),
            (json!({"a": "b"}), json!({"ab": ""})),
            (json!("1"), json!(1)),
            (json!(1), json!(1.0)),
            (json!(-1), json!(u64::MAX)),
            (json!([[], []]), json!([[[]]])),
            (json!(null), json!(false)),
            (json!({"a": [1, 2]}), json!({"a": [12]})),
        ];
        for (a, b) in pairs {
            assert_ne!(bytes(a.clone()), bytes(b.clone()), "{a} and {b}");
        }
        assert_eq!(
            bytes(json!({"b": 1, "a": [true]})),
            bytes(json!({"a": [true], "b": 1}))
        );
    }
}
