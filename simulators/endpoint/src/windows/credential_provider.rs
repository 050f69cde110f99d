//! Windows sign-in screen with the JumpCloud credential provider (R18, R30-R33, R03).

use ssap_api::Os;

use crate::device::Device;
use crate::macos::login_window::Action;
use crate::screen::{Screen, ScreenKind, UiError};

/// The credential provider's state.
#[derive(Debug, Clone, Default)]
pub struct CredentialProvider {
    jumpcloud: bool,
}

impl CredentialProvider {
    /// A freshly presented sign-in screen.
    pub fn present(jumpcloud: bool) -> Self {
        Self { jumpcloud }
    }

    pub fn is_jumpcloud(&self) -> bool {
        self.jumpcloud
    }

    pub(crate) fn screen(&self, _dev: &Device) -> Screen {
        Screen::new(
            Os::Windows,
            ScreenKind::WindowsSignIn,
            "Windows sign-in screen",
        )
    }

    pub(crate) fn type_into(
        &mut self,
        dev: &Device,
        field: &str,
        _text: &str,
    ) -> Result<(), UiError> {
        Err(UiError::no_field(&self.screen(dev), field))
    }

    pub(crate) async fn click(&mut self, dev: &mut Device, label: &str) -> Result<Action, UiError> {
        Err(UiError::no_control(&self.screen(dev), label))
    }
}
