//! The crate's error type, at the bottom of the layers: every module may return it.
//!
//! An [`Error`] is an [`ErrorKind`] (what a caller tells apart in code), the file it is about if
//! any, a one-line bilingual message (Chinese, then English in brackets) and, where a library
//! or the system gave one, that error as its [`source`](std::error::Error::source).
//!
//! It displays as `path: message`, or the message alone: the path once, and the source not
//! again. The message is complete for a user (it quotes the library's reason where that is
//! the only one there is: a PDF parser's, a ZIP reader's); the source is there for code to
//! inspect, e.g. an [`std::io::Error`]'s kind. Print the error's `Display` alone, not the chain
//! of its sources, or the reason shows twice.

use std::fmt;
use std::path::{Path, PathBuf};

/// What kind of failure an [`Error`] is: the cases a caller must tell apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A file or folder named does not exist.
    NotFound,
    /// Another failure of the system reading or writing a file (permission, disk full …).
    Io,
    /// The input holds no usable report: empty, not text, a damaged or foreign file, no
    /// section or table of the form found, a reader that crashed on it.
    Unusable,
    /// The input passes a limit set against hostile files (size, zip entries, nesting,
    /// cells, reading time, memory).
    Limit,
    /// A form definition file is broken.
    Form,
    /// A style file is broken or one of its numbers is out of physical sense.
    Style,
    /// A font file cannot be used, or no font is found for a role.
    Font,
    /// An output could not be produced: the PDF or DOCX library failed on this report.
    Render,
    /// The caller (or the command line) asks for something impossible: an unknown encoding
    /// or form version, a folder that is missing, an output that would overwrite an input.
    Usage,
    /// The work was stopped (Ctrl-C, SIGTERM) before this file was done.
    Interrupted,
    /// A panic inside nianbao, caught and confined to this file.
    Internal,
}

impl ErrorKind {
    /// Every kind, in the order declared.
    pub const ALL: [ErrorKind; 11] = [
        ErrorKind::NotFound,
        ErrorKind::Io,
        ErrorKind::Unusable,
        ErrorKind::Limit,
        ErrorKind::Form,
        ErrorKind::Style,
        ErrorKind::Font,
        ErrorKind::Render,
        ErrorKind::Usage,
        ErrorKind::Interrupted,
        ErrorKind::Internal,
    ];

    /// The kind's name in snake case (`not_found`, `unusable` …), as JSON outputs give it.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "not_found",
            ErrorKind::Io => "io",
            ErrorKind::Unusable => "unusable",
            ErrorKind::Limit => "limit",
            ErrorKind::Form => "form",
            ErrorKind::Style => "style",
            ErrorKind::Font => "font",
            ErrorKind::Render => "render",
            ErrorKind::Usage => "usage",
            ErrorKind::Interrupted => "interrupted",
            ErrorKind::Internal => "internal",
        }
    }

    /// The kind of a [`name`](ErrorKind::name), if it is one.
    pub fn from_name(name: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// The crate's error: an [`ErrorKind`], the path it is about, a one-line bilingual message and the
/// underlying error as its source, where there is one.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    path: Option<PathBuf>,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    /// An error of `kind` with a one-line message (no path, no source).
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            path: None,
            message: message.into(),
            source: None,
        }
    }

    /// The input holds no usable report ([`ErrorKind::Unusable`]).
    pub fn unusable(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Unusable, message)
    }

    /// The input passes a limit ([`ErrorKind::Limit`]).
    pub fn limit(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Limit, message)
    }

    /// Something impossible was asked for ([`ErrorKind::Usage`]).
    pub fn usage(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Usage, message)
    }

    /// A broken form definition ([`ErrorKind::Form`]).
    pub fn form(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Form, message)
    }

    /// A broken style ([`ErrorKind::Style`]).
    pub fn style(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Style, message)
    }

    /// An unusable font ([`ErrorKind::Font`]).
    pub fn font(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Font, message)
    }

    /// A writer's library failed ([`ErrorKind::Render`]).
    pub fn render(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Render, message)
    }

    /// The work was stopped before this file was done ([`ErrorKind::Interrupted`]).
    pub fn interrupted(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Interrupted, message)
    }

    /// A caught panic ([`ErrorKind::Internal`]).
    pub fn internal(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Internal, message)
    }

    /// The system failed on `path`: [`ErrorKind::NotFound`] or [`ErrorKind::Io`], with a
    /// bilingual message for the usual cases and `err` as the source.
    pub fn io(path: impl Into<PathBuf>, err: std::io::Error) -> Error {
        use std::io::ErrorKind as K;
        let (kind, message) = match err.kind() {
            K::NotFound => (
                ErrorKind::NotFound,
                "文件或文件夹不存在 (no such file or directory)".to_string(),
            ),
            K::PermissionDenied => (ErrorKind::Io, "没有权限 (permission denied)".to_string()),
            K::IsADirectory => (
                ErrorKind::Io,
                "是文件夹，不是文件 (a folder, not a file)".to_string(),
            ),
            _ => (ErrorKind::Io, format!("读写失败 (input/output error: {err})")),
        };
        Error::new(kind, message).with_path(path).with_source(err)
    }

    /// A TOML file (a form or a style) that does not parse: `kind`, the message
    /// `{zh} ({en}: line L, column C: reason)` on one line (the parser's own rendering spans
    /// several, with a snippet of the file), `err` as the source.
    pub fn toml(kind: ErrorKind, zh: &str, en: &str, text: &str, err: toml::de::Error) -> Error {
        let at = err
            .span()
            .and_then(|s| text.get(..s.start))
            .map(|before| {
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
                format!("line {line}, column {column}: ")
            })
            .unwrap_or_default();
        let reason = err.message().split_whitespace().collect::<Vec<_>>().join(" ");
        Error::new(kind, format!("{zh} ({en}: {at}{reason})")).with_source(err)
    }

    /// The same error about `path` (replacing any path it had).
    #[must_use]
    pub fn with_path(mut self, path: impl Into<PathBuf>) -> Error {
        self.path = Some(path.into());
        self
    }

    /// The same error about `path` if it names no path yet.
    #[must_use]
    pub fn or_path(self, path: &Path) -> Error {
        if self.path.is_some() {
            self
        } else {
            self.with_path(path)
        }
    }

    /// The same error with another message (one line, bilingual).
    #[must_use]
    pub fn with_message(mut self, message: impl Into<String>) -> Error {
        self.message = message.into();
        self
    }

    /// The same error with `source` as its [`source`](std::error::Error::source).
    #[must_use]
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Error {
        self.source = Some(Box::new(source));
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The file or folder the error is about, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The one-line bilingual message, without the path.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The error as said of `file`: the message alone when the error is about `file` (or
    /// about no file), else `path: message`. What a line that already names `file` prints.
    pub fn about(&self, file: &Path) -> String {
        match self.path() {
            Some(p) if p != file => self.to_string(),
            _ => self.message.clone(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(p) => write!(f, "{}: {}", p.display(), self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_the_path_once() {
        let e = Error::unusable("文件为空 (empty input)").with_path("a.txt");
        assert_eq!(e.to_string(), "a.txt: 文件为空 (empty input)");
        assert_eq!(e.about(Path::new("a.txt")), "文件为空 (empty input)");
        assert_eq!(e.about(Path::new("b.txt")), "a.txt: 文件为空 (empty input)");
        assert_eq!(Error::usage("x").to_string(), "x");
        let gone = std::io::Error::from(std::io::ErrorKind::NotFound);
        let e = Error::io("dir/a.txt", gone);
        assert_eq!(e.to_string().matches("a.txt").count(), 1, "{e}");
        assert!(!e.to_string().contains('\n'));
    }

    #[test]
    fn io_keeps_its_source_and_kind() {
        use std::error::Error as _;
        let e = Error::io("a.txt", std::io::Error::from(std::io::ErrorKind::NotFound));
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert_eq!(e.path(), Some(Path::new("a.txt")));
        let source = e.source().expect("source");
        let io = source.downcast_ref::<std::io::Error>().expect("an io::Error");
        assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
        let e = Error::io(
            "a.txt",
            std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        );
        assert_eq!(e.kind(), ErrorKind::Io);
        assert!(Error::unusable("x").source().is_none());
    }

    #[test]
    fn a_toml_error_is_one_line_with_its_place() {
        use std::error::Error as _;
        let text = "a = 1\nx = \n[[";
        let err = toml::from_str::<toml::Table>(text).unwrap_err();
        let e = Error::toml(ErrorKind::Style, "样式文件无效", "invalid style", text, err).with_path("s.toml");
        let shown = e.to_string();
        assert!(
            shown.starts_with("s.toml: 样式文件无效 (invalid style: line 2, column 5: "),
            "{shown}"
        );
        assert!(!shown.contains('\n'), "{shown}");
        assert!(e.source().is_some_and(|s| s.is::<toml::de::Error>()));
    }

    #[test]
    fn errors_cross_threads() {
        fn send_sync<T: Send + Sync + 'static>() {}
        send_sync::<Error>();
    }

    #[test]
    fn kinds_go_by_name_and_back() {
        for k in ErrorKind::ALL {
            assert_eq!(ErrorKind::from_name(k.name()), Some(k));
        }
        assert_eq!(ErrorKind::from_name("nonsense"), None);
    }

    #[test]
    fn or_path_keeps_a_path_already_there() {
        let e = Error::unusable("x").with_path("a").or_path(Path::new("b"));
        assert_eq!(e.path(), Some(Path::new("a")));
        let e = Error::unusable("x").or_path(Path::new("b"));
        assert_eq!(e.path(), Some(Path::new("b")));
    }
}
