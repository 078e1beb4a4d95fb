//! Integers as JSON Schema counts them: `2.0` is the integer 2 (JSON Schema 2020-12 §6.1.1, "a
//! number with a zero fractional part"), so a client, or a generator working from the schema,
//! may send either spelling. serde alone would refuse `2.0` for an integer field.

use std::fmt;

use serde::Deserializer;
use serde::de::{self, Visitor};

struct WholeNumber;

impl Visitor<'_> for WholeNumber {
    type Value = i128;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a whole number")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i128, E> {
        Ok(i128::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i128, E> {
        Ok(i128::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i128, E> {
        // Exact: only a float that is a whole number within ±2^53 is taken, and it converts
        // without loss.
        const EXACT: f64 = 9_007_199_254_740_992.0;
        if v.fract() == 0.0 && v.abs() <= EXACT {
            format!("{v:.0}")
                .parse::<i128>()
                .map_err(|e| E::custom(format!("must be a whole number ({e})")))
        } else {
            Err(E::custom("must be a whole number"))
        }
    }
}

fn whole<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i128, Error = std::num::TryFromIntError>,
{
    let n = d.deserialize_any(WholeNumber)?;
    T::try_from(n).map_err(out_of_range)
}

fn out_of_range<E: de::Error>(cause: std::num::TryFromIntError) -> E {
    E::custom(format!("is out of range ({cause})"))
}

pub fn u32<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    whole(d)
}

pub fn i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    whole(d)
}

pub fn option_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    optional(d)
}

pub fn option_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    optional(d)
}

/// `null` or a whole number.
fn optional<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i128, Error = std::num::TryFromIntError>,
{
    struct Maybe;
    impl<'de> Visitor<'de> for Maybe {
        type Value = Option<i128>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("null or a whole number")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(WholeNumber).map(Some)
        }
    }
    d.deserialize_option(Maybe)?
        .map(|n| T::try_from(n).map_err(out_of_range))
        .transpose()
}

#[cfg(test)]
mod tests {
    #[derive(serde::Deserialize)]
    struct Body {
        #[serde(deserialize_with = "super::u32")]
        n: u32,
        #[serde(default, deserialize_with = "super::option_i64")]
        m: Option<i64>,
    }

    fn read(json: &str) -> Result<(u32, Option<i64>), String> {
        serde_json::from_str::<Body>(json)
            .map(|b| (b.n, b.m))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_float_with_no_fraction_is_an_integer() {
        assert_eq!(read(r#"{"n": 2.0, "m": -3.0}"#), Ok((2, Some(-3))));
        assert_eq!(read(r#"{"n": 7}"#), Ok((7, None)));
        assert_eq!(read(r#"{"n": 7, "m": null}"#), Ok((7, None)));
    }

    #[test]
    fn fractions_strings_and_out_of_range_are_refused() {
        assert!(read(r#"{"n": 2.5}"#).is_err());
        assert!(read(r#"{"n": "2"}"#).is_err());
        assert!(read(r#"{"n": -1}"#).is_err());
        assert!(read(r#"{"n": 4294967296}"#).is_err());
        assert!(read(r#"{"n": 1e300}"#).is_err());
    }
}
