//! Field-level validation errors, collected so a client sees every problem at once.

use rust_decimal::Decimal;
use serde::Serialize;

/// Why a value was refused, in the words a client reads next to the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    #[error("must not be empty")]
    Empty,
    #[error("must be at least {0} characters")]
    TooShort(usize),
    #[error("must be at most {0} characters")]
    TooLong(usize),
    #[error("must not contain control characters")]
    ControlCharacters,
    #[error("must be a single line")]
    NotSingleLine,
    #[error("must be from {min} to {max}")]
    OutOfRange { min: Decimal, max: Decimal },
    #[error("must have at most {0} decimal places")]
    TooManyDecimals(u32),
    #[error("must not be negative")]
    Negative,
    #[error("must be greater than 0")]
    NotPositive,
    #[error("must have at most 2 decimal places (pence)")]
    NotPence,
    #[error("must be in pounds and pence (at most 2 decimal places)")]
    NotPoundsAndPence,
    #[error("must be at most {0}")]
    TooLarge(Decimal),
    #[error("must be at most {0} in magnitude")]
    TooLargeInMagnitude(Decimal),
    #[error("must be a percentage from 0 to 100")]
    NotAPercentage,
    #[error("must be a three-letter ISO 4217 code such as GBP")]
    NotACurrency,
    #[error("must be 1 to 20 characters of A-Z, a-z, 0-9, '.', '_' or '-'")]
    NotACriterionCode,
    #[error("must be one of the scale's levels: {levels}")]
    NotAScaleLevel { levels: String },
    #[error("criterion `{code}` is not scored on a scale")]
    NotScoredOnAScale { code: String },
    #[error("must be one of: {allowed}")]
    NotOneOf { allowed: String },
    #[error("must start with a letter or digit")]
    LeadingHyphen,
    #[error("may hold only a-z, 0-9 and '-'")]
    NotASlug,
    #[error("must be a year from {min} to {max}")]
    YearOutOfRange { min: i32, max: i32 },
    #[error("must list each rule at most once, at least one")]
    TieBreakOrder,
    #[error("must list at most {0} distinct missions")]
    TooManyMissions(usize),
}

/// The message a client reads next to the field.
impl From<Invalid> for String {
    fn from(why: Invalid) -> String {
        why.to_string()
    }
}

/// One invalid field: a JSON-pointer-like path (`outcomes[0].indicators[1].unit`) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Field errors kept for one response; the rest are only counted, so hostile input (a CSV with
/// millions of unknown columns) cannot make the error, or the memory behind it, grow without
/// bound.
pub const MAX_FIELD_ERRORS: usize = 100;

/// Every field error found while parsing one input: the first [`MAX_FIELD_ERRORS`] in full, and
/// a count of the rest.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
#[error("{} invalid field(s)", self.count())]
pub struct ValidationErrors {
    kept: Vec<FieldError>,
    omitted: usize,
}

impl From<FieldError> for ValidationErrors {
    fn from(error: FieldError) -> Self {
        Self {
            kept: vec![error],
            omitted: 0,
        }
    }
}

impl ValidationErrors {
    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        if self.kept.len() < MAX_FIELD_ERRORS {
            self.kept.push(FieldError::new(field, message));
        } else {
            self.omitted = self.omitted.saturating_add(1);
        }
    }

    /// Takes in another input's errors, with each field renamed to where it sits in this one.
    pub fn absorb(&mut self, other: ValidationErrors, rename: impl Fn(&str) -> String) {
        for e in other.kept {
            self.push(rename(&e.field), e.message);
        }
        self.omitted = self.omitted.saturating_add(other.omitted);
    }

    /// How many errors were found, kept or not.
    pub fn count(&self) -> usize {
        self.kept.len().saturating_add(self.omitted)
    }

    /// The errors kept, in the order found.
    pub fn fields(&self) -> &[FieldError] {
        &self.kept
    }

    /// The errors kept, and how many more there were.
    pub fn into_parts(self) -> (Vec<FieldError>, usize) {
        (self.kept, self.omitted)
    }

    /// Records the error of a field parse and hands back the value when it parsed.
    pub fn check<T, E: std::fmt::Display>(
        &mut self,
        field: impl Into<String>,
        result: Result<T, E>,
    ) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(why) => {
                self.push(field, why.to_string());
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.count() == 0
    }

    /// `Ok(value)` when nothing was recorded.
    pub fn finish<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, ValidationErrors> {
        if !self.is_empty() {
            return Err(self);
        }
        match value() {
            Some(v) => Ok(v),
            // A field failed to parse without recording why: still a client error, never a panic.
            None => Err(FieldError::new("", "invalid input").into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_first_hundred_errors_and_counts_the_rest() {
        let mut errors = ValidationErrors::default();
        for i in 0..250 {
            errors.push(format!("rows[{i}]"), "bad");
        }
        assert_eq!(errors.count(), 250);
        assert_eq!(errors.fields().len(), MAX_FIELD_ERRORS);
        assert_eq!(errors.fields()[99].field, "rows[99]");
        let mut outer = ValidationErrors::default();
        outer.push("title", "must not be empty");
        outer.absorb(errors, |f| format!("batch.{f}"));
        assert_eq!(outer.count(), 251);
        let (kept, omitted) = outer.into_parts();
        assert_eq!((kept.len(), omitted), (100, 151));
        assert_eq!(kept[1].field, "batch.rows[0]");
    }
}
