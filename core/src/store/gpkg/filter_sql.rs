//! A checked CQL2 filter ([`crate::filter`]) as an SQLite `WHERE` clause: column names come
//! from the catalog (quoted), and every value — text, number, date, LIKE pattern, the fids a
//! spatial test matched — is a bound parameter, never spliced into the SQL.

use rusqlite::types::{ToSql, Value as SqlValue};

use crate::catalog::LayerKind;
use crate::error::Result;
use crate::filter::{CmpOp, Column, Expr, Filter, Literal, Operand, Sort, SpatialHits};

use super::schema::quote;
use super::WithConnection;

/// The fids of `kind`'s rows matching `filter` (all rows when `None`), ordered by `sort`
/// (by fid when `None`; ties always by fid).
pub(super) fn select_fids<C: WithConnection>(
    conn: &C,
    kind: &LayerKind,
    filter: Option<(&Filter, &SpatialHits)>,
    sort: Option<&Sort>,
) -> Result<Vec<i64>> {
    let mut sql = format!("SELECT fid FROM {}", quote(&kind.id));
    let mut params: Vec<Box<dyn ToSql>> = Vec::new();
    if let Some((filter, hits)) = filter {
        sql.push_str(" WHERE ");
        write_expr(filter.expr(), hits, &mut sql, &mut params);
    }
    match sort {
        Some(s) if s.column.name != "fid" => {
            let dir = if s.descending { "DESC" } else { "ASC" };
            sql.push_str(&format!(" ORDER BY {} {dir}, fid {dir}", quote(&s.column.name)));
        }
        Some(s) if s.descending => sql.push_str(" ORDER BY fid DESC"),
        _ => sql.push_str(" ORDER BY fid"),
    }
    conn.with_conn(|c| {
        let mut stmt = c.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(params.iter()), |r| r.get::<_, i64>(0))?;
        let mut fids = Vec::new();
        for fid in rows {
            fids.push(fid?);
        }
        Ok(fids)
    })
}

fn write_expr(e: &Expr, hits: &SpatialHits, sql: &mut String, params: &mut Vec<Box<dyn ToSql>>) {
    match e {
        Expr::And(parts) | Expr::Or(parts) => {
            let joiner = if matches!(e, Expr::And(_)) { " AND " } else { " OR " };
            sql.push('(');
            for (i, p) in parts.iter().enumerate() {
                if i > 0 {
                    sql.push_str(joiner);
                }
                write_expr(p, hits, sql, params);
            }
            sql.push(')');
        }
        Expr::Not(inner) => {
            sql.push_str("NOT (");
            write_expr(inner, hits, sql, params);
            sql.push(')');
        }
        Expr::Constant(b) => sql.push_str(if *b { "1" } else { "0" }),
        Expr::Compare { column, op, value } => {
            sql.push_str(&column_sql(column));
            sql.push_str(match op {
                CmpOp::Eq => " = ",
                CmpOp::Ne => " <> ",
                CmpOp::Lt => " < ",
                CmpOp::Le => " <= ",
                CmpOp::Gt => " > ",
                CmpOp::Ge => " >= ",
            });
            match value {
                Operand::Column(c) => sql.push_str(&column_sql(c)),
                Operand::Value(v) => bind(sql, params, literal(v)),
            }
        }
        Expr::Like { column, pattern } => {
            sql.push_str(&column_sql(column));
            sql.push_str(" GLOB ");
            bind(sql, params, SqlValue::Text(like_to_glob(pattern)));
        }
        Expr::In { column, values } => {
            sql.push_str(&column_sql(column));
            sql.push_str(" IN (");
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    sql.push_str(", ");
                }
                bind(sql, params, literal(v));
            }
            sql.push(')');
        }
        Expr::Between { column, low, high } => {
            sql.push_str(&column_sql(column));
            sql.push_str(" BETWEEN ");
            bind(sql, params, literal(low));
            sql.push_str(" AND ");
            bind(sql, params, literal(high));
        }
        Expr::IsNull(column) => {
            sql.push_str(&column_sql(column));
            sql.push_str(" IS NULL");
        }
        Expr::Spatial(i) => {
            let fids: rusqlite::vtab::array::Array =
                std::rc::Rc::new(hits.fids(*i).iter().map(|f| SqlValue::Integer(*f)).collect());
            params.push(Box::new(fids));
            sql.push_str(&format!("fid IN rarray(?{})", params.len()));
        }
    }
}

fn bind(sql: &mut String, params: &mut Vec<Box<dyn ToSql>>, v: SqlValue) {
    params.push(Box::new(v));
    sql.push_str(&format!("?{}", params.len()));
}

/// A catalog-checked column, quoted.
fn column_sql(c: &Column) -> String {
    quote(&c.name)
}

fn literal(v: &Literal) -> SqlValue {
    match v {
        Literal::Text(s) | Literal::Date(s) => SqlValue::Text(s.clone()),
        Literal::Integer(i) => SqlValue::Integer(*i),
        Literal::Real(r) => SqlValue::Real(*r),
        Literal::Boolean(b) => SqlValue::Integer(*b as i64),
    }
}

/// A CQL2 LIKE pattern (`%`, `_`, `\` escapes; case-sensitive as CQL2 says) as an SQLite
/// GLOB pattern (`*`, `?`, `[…]` for the characters GLOB treats as special). SQLite's own
/// LIKE ignores ASCII case, which CQL2's does not.
fn like_to_glob(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 4);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '%' => out.push('*'),
            '_' => out.push('?'),
            '\\' => match chars.next() {
                Some(next) => literal_glob_char(&mut out, next),
                None => literal_glob_char(&mut out, '\\'),
            },
            c => literal_glob_char(&mut out, c),
        }
    }
    out
}

fn literal_glob_char(out: &mut String, c: char) {
    match c {
        '*' | '?' | '[' => {
            out.push('[');
            out.push(c);
            out.push(']');
        }
        c => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::like_to_glob;

    #[test]
    fn like_patterns_become_globs_that_match_the_same_text() {
        assert_eq!(like_to_glob("%充电%"), "*充电*");
        assert_eq!(like_to_glob("a_c"), "a?c");
        assert_eq!(like_to_glob(r"100\%"), "100%");
        assert_eq!(like_to_glob("what?*[x]"), "what[?][*][[]x]");
    }
}
