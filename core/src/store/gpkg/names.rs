//! Name search in a layer table: one parameterised `LIKE` (the user's text bound, never
//! spliced into the SQL), ranked exact / prefix / contains in SQL so `LIMIT` keeps the best.

use rusqlite::{params, Connection};

use crate::catalog::LayerKind;
use crate::error::Result;
use crate::search::{like_literal, MatchRank, NameMatch};

use super::schema::quote;

/// Features of `kind` whose name holds `text`, best first, at most `limit`.
pub(super) fn search(conn: &Connection, kind: &LayerKind, text: &str, limit: usize) -> Result<Vec<NameMatch>> {
    let literal = like_literal(text);
    let sql = format!(
        "SELECT fid, name, CASE WHEN name = ?1 THEN 0 WHEN name LIKE ?2 ESCAPE '\\' THEN 1 ELSE 2 END AS rank
         FROM {} WHERE name LIKE ?3 ESCAPE '\\'
         ORDER BY rank, length(name), fid LIMIT ?4",
        quote(&kind.id)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = stmt.query_map(params![text, format!("{literal}%"), format!("%{literal}%"), limit], |r| {
        Ok(NameMatch { fid: r.get(0)?, name: r.get(1)?, rank: MatchRank::from_code(r.get(2)?) })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
