//! The crate's error type, at the bottom of the layers: every module may return it.

/// What can go wrong. Every variant carries a one-line reason fit for a user.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input cannot be read as a report (exit status 2).
    #[error("{0}")]
    Unusable(String),
    /// A file cannot be read or written; the reason names it.
    #[error("{0}")]
    Io(String),
    /// A form definition file is broken.
    #[error("{0}")]
    Form(String),
    /// The command line asks for something impossible.
    #[error("{0}")]
    Usage(String),
}
