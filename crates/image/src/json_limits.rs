//! Deserializers that bound what a JSON document may make this crate allocate.
//!
//! A document's size limit alone does not bound memory: `{}` is two bytes of JSON but a
//! hundred bytes as a history entry, `""` two bytes but a 24-byte `String`, and a
//! `serde_json::Value` costs far more. So collections are read element by element and
//! refused past a count ([`capped_vec`], [`capped_map`]), and fields that are only tested
//! for presence or kept when they are strings never build a `Value` ([`Present`],
//! [`lenient_string`]).

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// A list of at most `N` elements; `null` or absent is empty.
pub(crate) fn capped_vec<'de, const N: usize, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct Seq<const N: usize, T>(PhantomData<T>);
    impl<'de, const N: usize, T: Deserialize<'de>> Visitor<'de> for Seq<N, T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a list of at most {N} elements")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_none<E: de::Error>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Vec<T>, D::Error> {
            d.deserialize_seq(self)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Vec<T>, A::Error> {
            collect_capped::<N, T, A>(seq)
        }
    }
    d.deserialize_option(Seq::<N, T>(PhantomData))
}

/// The elements of `seq`, failing once there are more than `N`.
fn collect_capped<'de, const N: usize, T, A>(mut seq: A) -> Result<Vec<T>, A::Error>
where
    T: Deserialize<'de>,
    A: SeqAccess<'de>,
{
    let mut out = Vec::new();
    while let Some(item) = seq.next_element()? {
        if out.len() == N {
            return Err(de::Error::custom(format!(
                "a list of more than {N} elements, over the limit"
            )));
        }
        out.push(item);
    }
    Ok(out)
}

/// A list of at most `N` strings, or a bare string as a one-element list (some old
/// builders wrote `Cmd` so); `null` or absent is empty.
pub(crate) fn capped_string_or_list<'de, const N: usize, D>(d: D) -> Result<Vec<String>, D::Error>
where
    D: Deserializer<'de>,
{
    struct Either<const N: usize>;
    impl<'de, const N: usize> Visitor<'de> for Either<N> {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a string or a list of at most {N} strings")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<String>, E> {
            Ok(vec![v.to_owned()])
        }
        fn visit_unit<E: de::Error>(self) -> Result<Vec<String>, E> {
            Ok(Vec::new())
        }
        fn visit_none<E: de::Error>(self) -> Result<Vec<String>, E> {
            Ok(Vec::new())
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Vec<String>, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Vec<String>, A::Error> {
            collect_capped::<N, String, A>(seq)
        }
    }
    d.deserialize_option(Either::<N>)
}

/// A string-to-string map of at most `N` entries; `null` or absent is empty.
pub(crate) fn capped_map<'de, const N: usize, D>(d: D) -> Result<BTreeMap<String, String>, D::Error>
where
    D: Deserializer<'de>,
{
    struct Map<const N: usize>;
    impl<'de, const N: usize> Visitor<'de> for Map<N> {
        type Value = BTreeMap<String, String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a map of at most {N} strings")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(BTreeMap::new())
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(BTreeMap::new())
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_map(self)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some((k, v)) = map.next_entry::<String, String>()? {
                out.insert(k, v);
                if out.len() > N {
                    return Err(de::Error::custom(format!(
                        "a map of more than {N} entries, over the limit"
                    )));
                }
            }
            Ok(out)
        }
    }
    d.deserialize_option(Map::<N>)
}

/// A string, or `None` for any other JSON value (skipped without being built).
pub(crate) fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct Lenient;
    impl<'de> Visitor<'de> for Lenient {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any value")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_owned()))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(None)
        }
    }
    d.deserialize_option(Lenient)
}

/// A field that is only tested for presence: any value, skipped without being built.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Present;

impl<'de> Deserialize<'de> for Present {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Present, D::Error> {
        IgnoredAny::deserialize(d).map(|_| Present)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Doc {
        #[serde(default, deserialize_with = "capped_vec::<3, _, _>")]
        list: Vec<u32>,
        #[serde(default, deserialize_with = "capped_map::<2, _>")]
        map: BTreeMap<String, String>,
        #[serde(default, deserialize_with = "lenient_string")]
        name: Option<String>,
    }

    #[test]
    fn caps_and_leniency() {
        let doc: Doc = serde_json::from_str(r#"{"list":null,"map":null,"name":[{},[1]]}"#).unwrap();
        assert!(doc.list.is_empty() && doc.map.is_empty() && doc.name.is_none());
        let doc: Doc = serde_json::from_str(r#"{"list":[1,2,3],"name":"x"}"#).unwrap();
        assert_eq!((doc.list.len(), doc.name.as_deref()), (3, Some("x")));
        let err = serde_json::from_str::<Doc>(r#"{"list":[1,2,3,4]}"#).err().unwrap();
        assert!(err.to_string().contains("more than 3"), "{err}");
        let err = serde_json::from_str::<Doc>(r#"{"map":{"a":"","b":"","c":""}}"#).err().unwrap();
        assert!(err.to_string().contains("more than 2"), "{err}");
    }
}
