//! Staff notes on a customer: one encrypted `notes` field to which members append dated,
//! signed entries. This module holds the domain steps (what an entry looks like, what is
//! refused); the console's handler only carries the form and shows the outcome.

use crate::CoreError;
use crate::auth::Caller;
use crate::model::CustomerPatch;
use crate::vault::Vault;
use uuid::Uuid;

/// Longest note accepted in one entry, characters (the stored notes may hold many).
pub const MAX_NOTE: usize = 4000;

/// Why a note was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteProblem {
    /// Nothing but whitespace.
    Empty,
    /// Longer than [`MAX_NOTE`] characters.
    TooLong,
    /// It holds a payment card number or CVV (refused everywhere in the vault).
    CardNumber,
}

/// A note as typed, with line ends normalised (`\r\n` → `\n`).
pub fn normalise(raw: &str) -> String {
    raw.replace("\r\n", "\n")
}

/// Checks a (normalised) note: not empty, at most [`MAX_NOTE`] characters, no card number and
/// no CVV (the write guard's full check, [`crate::guard::check_note`], so that nothing the
/// vault would refuse later gets past this step).
pub fn check(note: &str) -> Result<(), NoteProblem> {
    if note.trim().is_empty() {
        Err(NoteProblem::Empty)
    } else if note.chars().count() > MAX_NOTE {
        Err(NoteProblem::TooLong)
    } else if jaga_redact::card::contains_card_number(note)
        || crate::guard::check_note(note).is_err()
    {
        Err(NoteProblem::CardNumber)
    } else {
        Ok(())
    }
}

/// A refused text as it goes back to the person who typed it: card numbers masked to their
/// last four digits, CVVs masked entirely, everything else kept. Saving this draft again is
/// never refused (masking can leave a lone 4-digit group next to "CVV", which is then masked
/// too).
pub fn refused_draft(text: &str) -> String {
    // Card numbers as the console always showed them (`•••• •••• •••• 1111`), then whatever
    // else the guard refuses (CVVs) masked by the guard.
    let mut t = mask_cards(text);
    for _ in 0..4 {
        match crate::guard::check_note(&t) {
            Ok(_) if !jaga_redact::card::contains_card_number(&t) => return t,
            Ok(_) => t = jaga_redact::card::mask_card_numbers(&t, '•'),
            Err(r) if !r.masked.is_empty() && r.masked != t => t = r.masked,
            Err(_) => break,
        }
    }
    // Still refused after masking: hide every digit rather than show anything refused.
    t.chars()
        .map(|c| if c.is_numeric() { '*' } else { c })
        .collect()
}

/// One entry: `[YYYY-MM-DD HH:MM · author]` on its own line, then the trimmed note.
pub fn entry(now_ms: i64, author: &str, note: &str) -> String {
    let stamp = crate::format_ms(now_ms);
    format!(
        "[{} · {}]\n{}",
        stamp.chars().take(16).collect::<String>().replace('T', " "),
        author,
        note.trim()
    )
}

/// The notes after appending `entry` (a blank line between entries).
pub fn appended(existing: Option<&str>, entry: &str) -> String {
    match existing.filter(|n| !n.is_empty()) {
        Some(old) => format!("{old}\n\n{entry}"),
        None => entry.to_string(),
    }
}

/// Masks every card number in `text` (all but the last four digits), to show a refused note
/// back to its author without the number.
pub fn mask_cards(text: &str) -> String {
    jaga_redact::card::mask_card_numbers(text, '•')
}

impl Vault {
    /// Appends a dated entry signed `author` to customer `id`'s notes, for `caller`: checks the
    /// note ([`check`]; a card number is refused and the refusal audited, see
    /// [`Vault::refuse_card_number`]), reads the current notes (an audited masked read) and
    /// writes them back with the entry (audited `customer.update`). Errors: [`NoteProblem`]
    /// inside `Ok(Err(..))`, the vault's own errors (scope, segment, validation) as `Err`.
    pub async fn append_note(
        &self,
        caller: &Caller,
        id: Uuid,
        author: &str,
        note: &str,
    ) -> Result<Result<(), NoteProblem>, CoreError> {
        let reader = self.reader(caller).await?;
        if let Err(p) = check(note) {
            if p == NoteProblem::CardNumber {
                self.refuse_card_number(caller, Some(id), "notes").await?;
            }
            return Ok(Err(p));
        }
        let current = reader.get(id).await?;
        let notes = appended(
            current.notes.as_deref(),
            &entry(crate::now_ms(), author, note),
        );
        let patch = CustomerPatch {
            notes: Some(Some(notes)),
            ..Default::default()
        };
        self.writer(caller).await?.update(id, &patch).await?;
        Ok(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks() {
        assert_eq!(check(" \n "), Err(NoteProblem::Empty));
        assert_eq!(check(&"a".repeat(MAX_NOTE)), Ok(()));
        assert_eq!(check(&"a".repeat(MAX_NOTE + 1)), Err(NoteProblem::TooLong));
        assert_eq!(
            check("card 4111 1111 1111 1111 ok"),
            Err(NoteProblem::CardNumber)
        );
        assert_eq!(check("order 12345 arrived"), Ok(()));
        assert_eq!(normalise("a\r\nb"), "a\nb");
    }

    #[test]
    fn entries_are_dated_signed_and_appended() {
        // 2026-12-07T08:15:30Z
        let e = entry(1_796_631_330_000, "Dewi", "  called back \n");
        assert_eq!(e, "[2026-12-07 08:15 · Dewi]\ncalled back");
        assert_eq!(appended(None, &e), e);
        assert_eq!(appended(Some(""), &e), e);
        assert_eq!(appended(Some("old"), &e), format!("old\n\n{e}"));
    }

    #[test]
    fn cvvs_are_refused_and_drafts_can_be_saved_again() {
        for bad in [
            "CVV 123",
            "kode keamanan: 456",
            "kartu 4111 1111 1111 1111 cvv 123",
            "4111-1111-1111-1111",
            "4111111111111111",
            "cvc 9876 please",
        ] {
            assert_eq!(check(bad), Err(NoteProblem::CardNumber), "{bad}");
            let draft = refused_draft(bad);
            assert_eq!(check(&draft), Ok(()), "{bad} → {draft}");
            assert!(!draft.contains("4111 1111"), "{draft}");
            assert!(!draft.contains("123") && !draft.contains("456"), "{draft}");
        }
        let kept = refused_draft("Refund ke kartu 4111 1111 1111 1111 minggu depan");
        assert!(kept.starts_with("Refund ke kartu "), "{kept}");
        assert!(kept.ends_with("1111 minggu depan"), "{kept}");
    }

    #[test]
    fn masked_cards_keep_the_last_four() {
        assert_eq!(
            mask_cards("pay 4111 1111 1111 1111 now"),
            "pay •••• •••• •••• 1111 now"
        );
        assert_eq!(mask_cards("nothing here"), "nothing here");
    }
}
