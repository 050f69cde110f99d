//! One SQL surface over both storage backends (SQLite and PostgreSQL).
//!
//! Queries are written once, in the common subset of the two dialects, with `?1`-style
//! placeholders (the PostgreSQL backend rewrites them to `$1`) and `TRUE`/`FALSE` for flags.
//! Values cross as the four kinds the schema uses; rows come back as owned values so that no
//! driver type leaks into the queries in `db.rs` or the handlers.

use crate::error::ApiError;

/// A value crossing into or out of SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    Null,
    Int(i64),
    Text(String),
    Blob(Vec<u8>),
}

/// What may be passed as a query argument (see [`args!`]).
pub(crate) trait ToValue {
    fn to_value(&self) -> Value;
}

impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::Text(self.to_string())
    }
}
impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
}
impl ToValue for i64 {
    fn to_value(&self) -> Value {
        Value::Int(*self)
    }
}
impl ToValue for bool {
    fn to_value(&self) -> Value {
        Value::Int(i64::from(*self))
    }
}
impl ToValue for [u8] {
    fn to_value(&self) -> Value {
        Value::Blob(self.to_vec())
    }
}
impl ToValue for Vec<u8> {
    fn to_value(&self) -> Value {
        Value::Blob(self.clone())
    }
}
impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToValue::to_value)
    }
}
impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}

/// Query arguments, like rusqlite's `params!`: `args![org, id, flag]`.
macro_rules! args {
    () => {
        &[] as &[$crate::sql::Value]
    };
    ($($v:expr),+ $(,)?) => {
        &[$($crate::sql::ToValue::to_value(&$v)),+]
    };
}
pub(crate) use args;

/// What a column may be read as.
pub(crate) trait FromValue: Sized {
    fn from_value(v: &Value) -> Option<Self>;
}

impl FromValue for String {
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Text(s) => Some(s.clone()),
            _ => None,
        }
    }
}
impl FromValue for i64 {
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }
}
impl FromValue for bool {
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Int(i) => Some(*i != 0),
            _ => None,
        }
    }
}
impl FromValue for Vec<u8> {
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Blob(b) => Some(b.clone()),
            _ => None,
        }
    }
}
impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Null => Some(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// One result row.
#[derive(Debug)]
pub(crate) struct Row(pub(crate) Vec<Value>);

impl Row {
    /// Column `i` as `T`; a missing column or another kind is a storage fault, not a user error.
    pub fn get<T: FromValue>(&self, i: usize) -> Result<T, ApiError> {
        self.0.get(i).and_then(T::from_value).ok_or_else(|| {
            tracing::error!(column = i, value = ?self.0.get(i), wanted = std::any::type_name::<T>(), "unexpected column value");
            ApiError::internal("the control plane's storage holds an unreadable value")
        })
    }
}

/// A connection inside the current job's transaction (see `storage`).
pub(crate) trait Sql {
    /// Runs one statement; the number of rows it changed.
    fn execute(&self, sql: &str, args: &[Value]) -> Result<usize, ApiError>;
    /// Runs one query; every row.
    fn query(&self, sql: &str, args: &[Value]) -> Result<Vec<Row>, ApiError>;
    /// Runs statements without arguments (transaction control, schema).
    fn batch(&self, sql: &str) -> Result<(), ApiError>;

    /// The first row, if any.
    fn query_opt(&self, sql: &str, args: &[Value]) -> Result<Option<Row>, ApiError> {
        Ok(self.query(sql, args)?.into_iter().next())
    }

    /// The first row, which must exist (aggregates).
    fn query_one(&self, sql: &str, args: &[Value]) -> Result<Row, ApiError> {
        self.query_opt(sql, args)?.ok_or_else(|| {
            tracing::error!(sql, "a query that always returns a row returned none");
            ApiError::internal("the control plane's storage failed; try again")
        })
    }

    /// Whether the query returns any row.
    fn exists(&self, sql: &str, args: &[Value]) -> Result<bool, ApiError> {
        Ok(self.query_opt(sql, args)?.is_some())
    }
}

/// `?1`-style placeholders to PostgreSQL's `$1`. The queries hold no string literals with `?`.
pub(crate) fn dollar_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch == '?' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(ch);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_dollars_and_nothing_else_changes() {
        assert_eq!(
            dollar_placeholders("SELECT a FROM t WHERE x = ?1 AND y = ?12 AND z IS NOT NULL"),
            "SELECT a FROM t WHERE x = $1 AND y = $12 AND z IS NOT NULL"
        );
        assert_eq!(dollar_placeholders("SELECT '?'"), "SELECT '?'");
    }

    #[test]
    fn values_read_back_as_what_they_were_and_refuse_other_kinds() {
        let row = Row(vec![
            Value::Text("a".into()),
            Value::Int(1),
            Value::Null,
            Value::Blob(vec![1, 2]),
        ]);
        assert_eq!(row.get::<String>(0).ok(), Some("a".to_string()));
        assert_eq!(row.get::<bool>(1).ok(), Some(true));
        assert_eq!(row.get::<Option<String>>(2).ok(), Some(None));
        assert_eq!(row.get::<Vec<u8>>(3).ok(), Some(vec![1, 2]));
        assert!(row.get::<i64>(0).is_err());
        assert!(row.get::<String>(2).is_err());
        assert!(row.get::<String>(9).is_err());
        let args: &[Value] = args![1_i64, "x", true, None::<String>, Some("y")];
        assert_eq!(
            args,
            &[
                Value::Int(1),
                Value::Text("x".into()),
                Value::Int(1),
                Value::Null,
                Value::Text("y".into())
            ]
        );
    }
}
