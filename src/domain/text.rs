//! Text rules shared by every free-text field.

use super::validation::Invalid;

/// Trims `raw` and checks its length in characters (not bytes, as JSON Schema's `maxLength`
/// counts) and that it holds no control characters other than newline and tab.
/// PostgreSQL cannot store NUL, so it is rejected here for both backends alike.
pub fn bounded(raw: &str, min_chars: usize, max_chars: usize) -> Result<String, Invalid> {
    let value = raw.trim();
    let count = value.chars().count();
    if count < min_chars {
        return Err(if min_chars == 1 {
            Invalid::Empty
        } else {
            Invalid::TooShort(min_chars)
        });
    }
    if count > max_chars {
        return Err(Invalid::TooLong(max_chars));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Invalid::ControlCharacters);
    }
    Ok(value.to_string())
}

/// A single-line label: as [`bounded`] and without line breaks.
pub fn single_line(raw: &str, min_chars: usize, max_chars: usize) -> Result<String, Invalid> {
    let value = bounded(raw, min_chars, max_chars)?;
    if value.contains(['\n', '\t']) {
        return Err(Invalid::NotSingleLine);
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_characters_not_bytes() {
        assert_eq!(bounded("ééé", 1, 3), Ok("ééé".to_string()));
        assert!(bounded("éééé", 1, 3).is_err());
    }

    #[test]
    fn trims_and_rejects_blank() {
        assert_eq!(bounded("  food  ", 1, 10), Ok("food".to_string()));
        assert_eq!(bounded("   ", 1, 10), Err(Invalid::Empty));
        assert_eq!(
            bounded("   ", 1, 10).unwrap_err().to_string(),
            "must not be empty"
        );
    }

    #[test]
    fn rejects_nul_and_other_controls() {
        assert!(bounded("a\u{0}b", 1, 10).is_err());
        assert!(bounded("a\u{7}b", 1, 10).is_err());
        assert!(bounded("a\nb", 1, 10).is_ok());
        assert!(single_line("a\nb", 1, 10).is_err());
    }
}
