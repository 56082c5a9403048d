//! The forms of the payees' pages (issue 14) and what the write guard does with them: a card
//! number or CVV in a free-text field is an error at that field, in the member's language, with
//! the typed text kept minus what was refused; after any refusal every value goes back masked
//! where the guard would refuse it ([`crate::refusal`]), never as typed.

use crate::i18n::Tr;
use crate::refusal::{FieldErrors, screen_fields, shown};
use serde::Deserialize;

/// The fields of the form that adds a payee.
#[derive(Debug, Default, Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    pub(crate) kind: String,
    #[serde(default)]
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) phone: String,
    #[serde(default)]
    pub(crate) email: String,
    #[serde(default)]
    pub(crate) contact_name: String,
    #[serde(default)]
    pub(crate) bank: String,
    #[serde(default)]
    pub(crate) account_number: String,
    #[serde(default)]
    pub(crate) holder: String,
    /// Errors at the fields (never posted).
    #[serde(skip)]
    pub(crate) errors: FieldErrors,
}

/// The fields of the change request.
#[derive(Debug, Default, Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    pub(crate) bank: String,
    #[serde(default)]
    pub(crate) account_number: String,
    #[serde(default)]
    pub(crate) holder: String,
    /// Errors at the fields (never posted).
    #[serde(skip)]
    pub(crate) errors: FieldErrors,
}

/// The fields of the call-back form (bank details and contact changes).
#[derive(Debug, Default, Deserialize)]
pub struct CallForm {
    #[serde(default)]
    pub(crate) number_called: String,
    #[serde(default)]
    pub(crate) confirmed: String,
    #[serde(default)]
    pub(crate) reference: String,
    #[serde(default)]
    pub(crate) decision: String,
    /// Errors at the fields (never posted).
    #[serde(skip)]
    pub(crate) errors: FieldErrors,
}

/// The fields of the contact change form.
#[derive(Debug, Default, Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    pub(crate) phone: String,
    #[serde(default)]
    pub(crate) email: String,
    #[serde(default)]
    pub(crate) contact_name: String,
    /// Errors at the fields (never posted).
    #[serde(skip)]
    pub(crate) errors: FieldErrors,
}

/// The forms of a payee's page as the member left them.
#[derive(Debug, Default)]
pub struct PayeeForms {
    /// The bank details change request.
    pub change: ChangeForm,
    /// The call-back that verifies bank details.
    pub call: CallForm,
    /// The contact change request.
    pub contact: ContactForm,
    /// The call-back that verifies a contact change.
    pub contact_call: CallForm,
}

impl CreateForm {
    /// Screens the free-text fields; `true` when the guard refused one (its error is set).
    pub fn screen(&mut self, tr: Tr) -> bool {
        self.errors = screen_fields(
            tr,
            &mut [
                ("name", &mut self.name),
                ("contact_name", &mut self.contact_name),
                ("bank", &mut self.bank),
                ("holder", &mut self.holder),
            ],
        );
        !self.errors.is_empty()
    }

    /// Every value as it may be shown back.
    pub fn masked(mut self) -> Self {
        for v in [
            &mut self.name,
            &mut self.phone,
            &mut self.email,
            &mut self.contact_name,
            &mut self.bank,
            &mut self.account_number,
            &mut self.holder,
        ] {
            *v = shown(v);
        }
        self
    }
}

impl ChangeForm {
    /// Screens the free-text fields; `true` when the guard refused one (its error is set).
    pub fn screen(&mut self, tr: Tr) -> bool {
        self.errors = screen_fields(
            tr,
            &mut [("bank", &mut self.bank), ("holder", &mut self.holder)],
        );
        !self.errors.is_empty()
    }

    /// Every value as it may be shown back.
    pub fn masked(mut self) -> Self {
        for v in [&mut self.bank, &mut self.account_number, &mut self.holder] {
            *v = shown(v);
        }
        self
    }
}

impl CallForm {
    /// Screens the free-text fields; `true` when the guard refused one (its error is set).
    pub fn screen(&mut self, tr: Tr) -> bool {
        self.errors = screen_fields(
            tr,
            &mut [
                ("confirmed", &mut self.confirmed),
                ("reference", &mut self.reference),
            ],
        );
        !self.errors.is_empty()
    }

    /// Every value as it may be shown back.
    pub fn masked(mut self) -> Self {
        for v in [
            &mut self.number_called,
            &mut self.confirmed,
            &mut self.reference,
        ] {
            *v = shown(v);
        }
        self
    }
}

impl ContactForm {
    /// Screens the free-text field; `true` when the guard refused it (its error is set).
    pub fn screen(&mut self, tr: Tr) -> bool {
        self.errors = screen_fields(tr, &mut [("contact_name", &mut self.contact_name)]);
        !self.errors.is_empty()
    }

    /// Every value as it may be shown back.
    pub fn masked(mut self) -> Self {
        for v in [&mut self.phone, &mut self.email, &mut self.contact_name] {
            *v = shown(v);
        }
        self
    }
}
