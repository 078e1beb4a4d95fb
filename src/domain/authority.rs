//! The tenant: a commissioning authority, named by a short slug such as `camden`.

use std::fmt;

use super::validation::Invalid;

/// A validated authority slug: 1–64 characters of `a-z`, `0-9` and `-`, starting with a
/// letter or digit. Every stored row carries one; nothing crosses authorities.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct AuthorityId(String);

impl AuthorityId {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let valid_chars = raw
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        match raw.chars().next() {
            None => Err(Invalid::Empty),
            _ if raw.len() > 64 => Err(Invalid::TooLong(64)),
            Some('-') => Err(Invalid::LeadingHyphen),
            _ if !valid_chars => Err(Invalid::NotASlug),
            _ => Ok(Self(raw.to_string())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AuthorityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_slugs_and_rejects_the_rest() {
        assert!(AuthorityId::parse("camden").is_ok());
        assert!(AuthorityId::parse("tower-hamlets-2").is_ok());
        assert!(AuthorityId::parse("").is_err());
        assert!(AuthorityId::parse("-camden").is_err());
        assert!(AuthorityId::parse("Camden").is_err());
        assert!(AuthorityId::parse("cam den").is_err());
        assert!(AuthorityId::parse(&"a".repeat(65)).is_err());
    }
}
