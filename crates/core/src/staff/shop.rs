//! The shop's settings an admin edits in the console: its name, as customers know it (on the
//! access letter and the pages). A name saved here wins over `[shop] name` in `jaga.toml`.

use super::StaffService;
use crate::CoreError;
use crate::audit::{AuditAction, AuditRecord};
use crate::auth::Caller;
use crate::letter::Shop;

/// The `shop_settings` row of the shop's name.
const SHOP_NAME: &str = "shop.name";
/// Longest shop name, characters.
pub const MAX_SHOP_NAME: usize = 100;

impl StaffService {
    /// `configured` with the name saved in the console, if any.
    pub async fn shop(&self, configured: &Shop) -> Result<Shop, CoreError> {
        let mut shop = configured.clone();
        if let Some(name) = self
            .store()
            .setting_get(SHOP_NAME)
            .await?
            .filter(|n| !n.trim().is_empty())
        {
            shop.name = Some(name);
        }
        Ok(shop)
    }

    /// Saves the shop's name (admin only): 1 to `MAX_SHOP_NAME` characters, no control
    /// characters, no card number or CVV (the write guard). Audited as `shop.settings.change` (the setting's name, not
    /// its value). Returns the name as saved (trimmed).
    pub async fn set_shop_name(&self, caller: &Caller, name: &str) -> Result<String, CoreError> {
        self.require_admin(caller, AuditAction::ShopSettingsChange, false)
            .await?;
        let name = name.trim();
        if crate::guard::text_has_card_number(name) || crate::guard::check_note(name).is_err() {
            return Err(CoreError::CardInText {
                field: "shop_name".into(),
            });
        }
        if name.is_empty()
            || name.chars().count() > MAX_SHOP_NAME
            || name.chars().any(char::is_control)
        {
            return Err(CoreError::invalid(
                "shop_name",
                "invalid_name",
                "give a name of 1 to 100 characters",
            ));
        }
        let audit = AuditRecord::new(caller, AuditAction::ShopSettingsChange)
            .fields([format!("setting:{SHOP_NAME}")]);
        self.store()
            .setting_put(SHOP_NAME, name, self.now(), audit)
            .await?;
        Ok(name.to_string())
    }
}
