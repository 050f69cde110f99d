//! The simulated Mac: the JumpCloud login window (and the stock one it replaces).

pub mod login_window;

pub use login_window::LoginWindow;
