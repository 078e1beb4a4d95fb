//! Exact decimals on the wire: JSON strings of one grammar everywhere, `-?digits[.digits]`.
//! A JSON number is refused (it may already have lost precision in the client), and so are the
//! spellings a lenient parser would take (`"1_000"`, `"+5"`, `".5"`, `"5."`, `"1e3"`, `""`).

use std::fmt;

use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::{RefOr, SchemaFormat};

use super::Wire;

/// The grammar, as the OpenAPI `pattern` of every decimal string.
pub const DECIMAL_PATTERN: &str = r"^-?[0-9]+(\.[0-9]+)?$";

/// Longest accepted spelling. Every string of the grammar up to this length holds at most 28
/// digits, so it always fits a `Decimal` (96-bit mantissa, scale at most 28): a decimal the
/// schema allows never fails to parse.
const MAX_CHARS: usize = 28;

/// What a client is told when a decimal does not parse; the same in JSON and CSV.
pub const DECIMAL_EXPECTED: &str = "must be a decimal string such as \"1250.50\": digits, an optional leading minus sign and an optional decimal point followed by digits";

/// Parses one decimal in the wire grammar.
pub fn parse_decimal(raw: &str) -> Result<Decimal, String> {
    let digits = raw.strip_prefix('-').unwrap_or(raw);
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole) || !fraction.is_none_or(all_digits) {
        return Err(DECIMAL_EXPECTED.to_string());
    }
    if raw.len() > MAX_CHARS {
        return Err(format!("must be at most {MAX_CHARS} characters"));
    }
    // Unreachable for the grammar up to MAX_CHARS; the cause is kept all the same.
    Decimal::from_str_exact(raw)
        .map_err(|e| format!("is not a decimal this service can hold ({e})"))
}

fn decimal_schema(description: &str) -> RefOr<Schema> {
    RefOr::T(Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::Custom("decimal".to_string())))
            .pattern(Some(DECIMAL_PATTERN))
            .max_length(Some(MAX_CHARS))
            .description(Some(description))
            .examples(["1250.50"])
            .build(),
    ))
}

struct DecimalVisitor;

impl Visitor<'_> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a decimal string such as \"1250.50\"")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        parse_decimal(v).map_err(E::custom)
    }
}

/// A measure, weight, score or percentage: an exact decimal as it was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dec(pub Decimal);

impl Serialize for Dec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Dec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(DecimalVisitor).map(Dec)
    }
}

impl utoipa::PartialSchema for Dec {
    fn schema() -> RefOr<Schema> {
        decimal_schema("An exact decimal as a string: `-?digits[.digits]`.")
    }
}

impl utoipa::ToSchema for Dec {
    fn name() -> std::borrow::Cow<'static, str> {
        "Decimal".into()
    }
}

impl Wire<Decimal> for Dec {
    fn from_domain(value: Decimal) -> Self {
        Self(value)
    }
    fn into_domain(self) -> Decimal {
        self.0
    }
}

/// An amount of money in pounds: an exact decimal, answered with at least two decimal places
/// (`"250000.50"`), never rounded on the way out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money(pub Decimal);

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut value = self.0;
        if value.scale() < 2 {
            // Raising the scale only appends zeros: the value is unchanged.
            value.rescale(2);
        }
        s.collect_str(&value)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(DecimalVisitor).map(Money)
    }
}

impl utoipa::PartialSchema for Money {
    fn schema() -> RefOr<Schema> {
        decimal_schema(
            "An amount in pounds as an exact decimal string: `-?digits[.digits]`; responses carry at least two decimal places.",
        )
    }
}

impl utoipa::ToSchema for Money {
    fn name() -> std::borrow::Cow<'static, str> {
        "Money".into()
    }
}

impl Wire<Decimal> for Money {
    fn from_domain(value: Decimal) -> Self {
        Self(value)
    }
    fn into_domain(self) -> Decimal {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_grammar_only() {
        for ok in ["0", "5", "-5", "1250.50", "0.0001", "-0.5", "007"] {
            assert!(parse_decimal(ok).is_ok(), "{ok}");
        }
        for bad in [
            "", "-", "1_000", "+5", ".5", "5.", "1e3", "1E3", " 5", "5 ", "1,5", "0x10", "NaN",
            "--5", "5.5.5",
        ] {
            assert_eq!(
                parse_decimal(bad),
                Err(DECIMAL_EXPECTED.to_string()),
                "{bad}"
            );
        }
    }

    #[test]
    fn every_spelling_the_schema_allows_parses() {
        assert!(parse_decimal(&"9".repeat(28)).is_ok());
        assert!(parse_decimal(&format!("-{}", "9".repeat(27))).is_ok());
        assert!(parse_decimal(&format!("0.{}", "1".repeat(26))).is_ok());
        assert!(parse_decimal(&format!("-9.{}", "9".repeat(25))).is_ok());
        assert_eq!(
            parse_decimal(&"9".repeat(29)),
            Err("must be at most 28 characters".to_string())
        );
    }

    #[test]
    fn money_keeps_two_decimals_and_never_rounds() {
        let json = |d: &str| serde_json::to_string(&Money(parse_decimal(d).unwrap_or_default()));
        assert_eq!(json("250000.5").ok().as_deref(), Some("\"250000.50\""));
        assert_eq!(json("12").ok().as_deref(), Some("\"12.00\""));
        assert_eq!(json("0.125").ok().as_deref(), Some("\"0.125\""));
    }

    #[test]
    fn a_json_number_is_refused() {
        assert!(serde_json::from_str::<Dec>("5").is_err());
        assert!(serde_json::from_str::<Dec>("\"5.25\"").is_ok());
    }
}
