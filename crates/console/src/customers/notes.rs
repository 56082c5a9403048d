//! Appending a dated, signed note to a customer (the domain step is `Vault::append_note`).

use super::{Extras, data_fail, parse_id, render_customer};
use crate::i18n::{M, validation};
use crate::session::{StaffForm, StaffPage};
use crate::web::{Fail, see_other};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use jaga_core::CoreError;
use jaga_core::notes::{self, MAX_NOTE, NoteProblem, refused_draft};
use jaga_server::AppState;
use serde::Deserialize;
use std::sync::Arc;
use uuid::Uuid;

/// The fields of `NoteForm`.
#[derive(Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    note: String,
}

/// `POST /console/customers/{id}/notes`: appends a dated note signed with the member's name.
/// A card number is refused (audited, like the API's guard) and the note is shown back with
/// the number masked.
pub async fn add_note(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    f: StaffForm<NoteForm>,
) -> Result<Response, Fail> {
    let StaffForm { staff, form, .. } = f;
    staff.require_agreement()?;
    let id = parse_id(&id)?;
    let tr = staff.tr();
    let note = notes::normalise(&form.note);
    let problem = match state
        .vault
        .append_note(&staff.caller, id, &staff.name, &note)
        .await
    {
        Ok(Ok(())) => return Ok(see_other(&format!("/console/customers/{id}?done=note"))),
        Ok(Err(p)) => p,
        Err(CoreError::Invalid(errs)) => {
            let errors = errs
                .iter()
                .map(|e| {
                    format!(
                        "{}: {}",
                        tr.t(M::NotesTitle),
                        validation(tr, e.code, &e.field)
                    )
                })
                .collect();
            return note_refused(&state, &staff, id, errors, note).await;
        }
        // The vault's own guard refused it (anything the pre-check did not see): the same
        // inline answer, never an error page.
        Err(CoreError::CardNumber | CoreError::CardInText { .. }) => NoteProblem::CardNumber,
        Err(e) => return Err(data_fail(e)),
    };
    let (error, draft) = match problem {
        NoteProblem::Empty => (
            format!("{}: {}", tr.t(M::AddNote), tr.t(M::VRequired)),
            note,
        ),
        NoteProblem::TooLong => (
            format!(
                "{}: {}",
                tr.t(M::AddNote),
                tr.f(M::VTooLong, &[("max", &MAX_NOTE.to_string())])
            ),
            note.chars().take(MAX_NOTE).collect(),
        ),
        NoteProblem::CardNumber => (card_message(tr, &note), refused_draft(&note)),
    };
    note_refused(&state, &staff, id, vec![error], draft).await
}

/// What to tell the member about refused card data in `text`: a card number, or a CVV alone.
pub(crate) fn card_message(tr: crate::i18n::Tr, text: &str) -> String {
    let cvv_only = !jaga_redact::card::contains_card_number(text)
        && jaga_core::guard::check_note(text).is_err_and(|r| r.cards == 0 && r.cvvs > 0);
    tr.t(if cvv_only { M::VCvv } else { M::VCardNumber })
        .to_string()
}

/// The customer page again with the note's errors and the draft (422).
async fn note_refused(
    state: &Arc<AppState>,
    staff: &StaffPage,
    id: Uuid,
    errors: Vec<String>,
    draft: String,
) -> Result<Response, Fail> {
    let view = state
        .vault
        .reader(&staff.caller)
        .await
        .map_err(data_fail)?
        .get(id)
        .await
        .map_err(data_fail)?;
    let extras = Extras {
        note_errors: errors,
        note_draft: draft,
        ..Default::default()
    };
    render_customer(state, staff, view, extras, StatusCode::UNPROCESSABLE_ENTITY).await
}
