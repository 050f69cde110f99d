//! The device's local account store. Names are checked and compared only through
//! [`crate::rules`], so "is there already an account called X" means what the OS means (R43).

use ssap_api::{Os, PermissionLevel};

use crate::rules::{self, NameError};

/// What opens a local account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalSecret {
    /// A copy of the directory password, kept in sync by the agent (password sync on, R06).
    DirectoryPassword(String),
    /// A password the user created on the device (password sync off, or a local-only account).
    LocalPassword(String),
    /// Created by an admin bind: the agent learns the directory password at the user's first
    /// login (checked against the control plane) and keeps it from then on.
    PendingSync,
    /// A federated user's account with password sync on (R46): there is no directory password
    /// to copy, so no password opens it; the tile offers "Sign in with <idp>", which runs the
    /// identity provider's sign-in again and the control plane confirms it. On Windows the
    /// PIN created at provisioning opens it too.
    Federated {
        /// The directory email the identity provider signs in.
        email: String,
        /// The identity provider's name ("Okta"), for the tile's button.
        idp: String,
    },
}

impl LocalSecret {
    /// Whether `password` opens the account right now (a pending account opens with nothing).
    pub fn opens_with(&self, password: &str) -> bool {
        match self {
            LocalSecret::DirectoryPassword(p) | LocalSecret::LocalPassword(p) => p == password,
            LocalSecret::PendingSync | LocalSecret::Federated { .. } => false,
        }
    }
}

/// One local account on the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalAccount {
    /// Short name (macOS) or SAM account name (Windows).
    pub name: String,
    /// Shown on the login window tile.
    pub full_name: String,
    /// macOS: `staff` (+ `admin`); Windows: `Users` or `Administrators` (R02).
    pub groups: Vec<String>,
    /// Bound to a JumpCloud user: carries the badge (R16) and hides Sign in with JumpCloud (R11).
    pub managed: bool,
    /// The directory user it is bound to, if managed (what associations name).
    pub jumpcloud_user_id: Option<String>,
    /// What opens the account at the login window.
    pub password: LocalSecret,
    /// Windows Hello PIN created during SSAP (R31, R32).
    pub pin: Option<String>,
    /// The OS's first-login setup prompts (Apple ID, ...) have been completed (R20).
    pub setup_complete: bool,
}

impl LocalAccount {
    /// A local-only account, as someone at the device would create it: not managed, set up.
    pub fn local(name: &str, full_name: &str, password: &str, admin: bool, os: Os) -> Self {
        let level = if admin {
            PermissionLevel::Administrator
        } else {
            PermissionLevel::Standard
        };
        Self {
            name: name.to_string(),
            full_name: full_name.to_string(),
            groups: groups_for(os, level),
            managed: false,
            jumpcloud_user_id: None,
            password: LocalSecret::LocalPassword(password.to_string()),
            pin: None,
            setup_complete: true,
        }
    }

    /// Has local administrator rights (R02).
    pub fn is_admin(&self) -> bool {
        self.groups
            .iter()
            .any(|g| g == "admin" || g == "Administrators")
    }
}

/// Local groups for a permission level (R02): macOS `admin` (sudo) on top of `staff`;
/// Windows `Administrators` instead of `Users`.
pub fn groups_for(os: Os, level: PermissionLevel) -> Vec<String> {
    let g: &[&str] = match (os, level) {
        (Os::Macos, PermissionLevel::Administrator) => &["admin", "staff"],
        (Os::Macos, PermissionLevel::Standard) => &["staff"],
        (Os::Windows, PermissionLevel::Administrator) => &["Administrators"],
        (Os::Windows, PermissionLevel::Standard) => &["Users"],
    };
    g.iter().map(|s| s.to_string()).collect()
}

/// Why the store refused a change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    /// The OS's naming rules refuse the name (R39).
    #[error(transparent)]
    InvalidName(#[from] NameError),
    /// The name matches an existing account (R43).
    #[error("a local account named \"{existing}\" already exists (asked for \"{asked}\")")]
    AlreadyExists {
        /// The name asked for.
        asked: String,
        /// The existing account it matches under the OS's comparison rules (R43).
        existing: String,
    },
    /// Asked to change an account that is not there.
    #[error("no local account named \"{0}\"")]
    NotFound(String),
}

/// All local accounts of one device, under that device's OS rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalAccountStore {
    os: Os,
    accounts: Vec<LocalAccount>,
}

impl LocalAccountStore {
    /// An empty store for `os`.
    pub fn new(os: Os) -> Self {
        Self {
            os,
            accounts: Vec::new(),
        }
    }

    /// The OS whose naming and matching rules the store applies.
    pub fn os(&self) -> Os {
        self.os
    }

    /// Adds an account whose name the OS accepts and that matches no existing one.
    pub fn add(&mut self, account: LocalAccount) -> Result<(), AccountError> {
        rules::validate_local_name(self.os, &account.name)?;
        if let Some(existing) = self.find(&account.name) {
            return Err(AccountError::AlreadyExists {
                asked: account.name.clone(),
                existing: existing.name.clone(),
            });
        }
        self.accounts.push(account);
        Ok(())
    }

    /// The account this name denotes under the OS's comparison (case-insensitive, R43).
    pub fn find(&self, name: &str) -> Option<&LocalAccount> {
        self.accounts
            .iter()
            .find(|a| rules::names_match(self.os, &a.name, name))
    }

    /// Mutable [`Self::find`].
    pub fn find_mut(&mut self, name: &str) -> Option<&mut LocalAccount> {
        let os = self.os;
        self.accounts
            .iter_mut()
            .find(|a| rules::names_match(os, &a.name, name))
    }

    /// The account bound to a JumpCloud user, if any.
    pub fn find_by_user_id(&self, user_id: &str) -> Option<&LocalAccount> {
        self.accounts
            .iter()
            .find(|a| a.jumpcloud_user_id.as_deref() == Some(user_id))
    }

    /// Removes and returns an account.
    pub fn remove(&mut self, name: &str) -> Result<LocalAccount, AccountError> {
        let os = self.os;
        match self
            .accounts
            .iter()
            .position(|a| rules::names_match(os, &a.name, name))
        {
            Some(i) => Ok(self.accounts.remove(i)),
            None => Err(AccountError::NotFound(name.to_string())),
        }
    }

    /// Every account, in creation order (the order tiles show).
    pub fn all(&self) -> &[LocalAccount] {
        &self.accounts
    }

    /// How many accounts are JumpCloud-managed (R11).
    pub fn managed_count(&self) -> usize {
        self.accounts.iter().filter(|a| a.managed).count()
    }

    /// An admin bind of a user whose name matches an existing local account takes that account
    /// over (R49): it becomes managed, bound to the user, with the bind's permission; its files
    /// and password are kept. Only the self-service path refuses takeover (R43).
    pub fn convert_to_managed(
        &mut self,
        name: &str,
        user_id: &str,
        level: PermissionLevel,
    ) -> Result<&LocalAccount, AccountError> {
        let os = self.os;
        let acct = self
            .find_mut(name)
            .ok_or_else(|| AccountError::NotFound(name.to_string()))?;
        acct.managed = true;
        acct.jumpcloud_user_id = Some(user_id.to_string());
        acct.groups = groups_for(os, level);
        Ok(acct)
    }

    /// An unbind leaves the account and its data on the device (R04) but no longer managed.
    pub fn release(&mut self, user_id: &str) -> Option<&LocalAccount> {
        let acct = self
            .accounts
            .iter_mut()
            .find(|a| a.jumpcloud_user_id.as_deref() == Some(user_id))?;
        acct.managed = false;
        acct.jumpcloud_user_id = None;
        Some(acct)
    }
}
