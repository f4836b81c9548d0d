//! CQL2 text to a checked [`Expr`]: pest reads the grammar in `cql2.pest`, and every node
//! keeps its span, so a wrong field, value or type is reported at its own column.

use geo_types::{Geometry, Rect};
use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::Pair;
use pest::Parser;
use wkt::TryFromWkt;

use super::{CmpOp, Column, Expr, Literal, Operand, SpatialOp, SpatialTest};
use crate::catalog::{FieldType, LayerKind};
use crate::dates::Day;
use crate::error::{FilterError, Result};

#[derive(pest_derive::Parser)]
#[grammar = "filter/cql2.pest"]
struct Cql2;

/// The layer's geometry column, the one property a spatial function may name.
const GEOMETRY: &str = "geom";

pub(super) fn parse(kind: &LayerKind, text: &str, spatial: &mut Vec<SpatialTest>) -> Result<Expr> {
    let mut pairs = Cql2::parse(Rule::filter, text).map_err(|e| syntax_error(text, e))?;
    let filter = pairs.next().expect("the grammar's root");
    let or = filter.into_inner().next().expect("filter holds one expression");
    Checker { kind, text, spatial }.or_expr(or)
}

/// A pest error as the user should read it: where, what was expected, what was found.
fn syntax_error(text: &str, e: pest::error::Error<Rule>) -> crate::error::Error {
    let at = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let expected = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut words: Vec<&str> = positives.iter().filter_map(|r| describe(*r)).collect();
            words.sort_unstable();
            words.dedup();
            words
        }
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let found = text[at..].split_whitespace().next().map(|w| w.chars().take(20).collect::<String>());
    let mut message = match found {
        None => "the expression ends too early".to_owned(),
        Some(w) => format!("cannot read `{w}` here"),
    };
    if !expected.is_empty() {
        message.push_str(&format!("; expected {}", expected.join(" or ")));
    }
    FilterError::at(text, at, message)
}

/// What a grammar rule is, in a user's words; `None` for rules never worth naming.
fn describe(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::or_expr | Rule::and_expr | Rule::not_expr => "a condition",
        Rule::comparison | Rule::like | Rule::between | Rule::in_list | Rule::is_null => "a condition",
        Rule::spatial | Rule::spatial_op => "a spatial function (S_INTERSECTS, S_WITHIN, S_CONTAINS, S_DISJOINT)",
        Rule::cmp_op => "an operator (=, <>, <, <=, >, >=, LIKE, IN, BETWEEN, IS NULL)",
        Rule::property | Rule::plain_property | Rule::quoted_property => "a field name",
        Rule::string => "a text value in single quotes",
        Rule::number => "a number",
        Rule::boolean => "TRUE or FALSE",
        Rule::date | Rule::kw_date => "DATE('YYYY-MM-DD')",
        Rule::bbox | Rule::kw_bbox | Rule::wkt | Rule::wkt_type => "a geometry (WKT such as POINT(119.8 31.4), or BBOX(w,s,e,n))",
        Rule::kw_and => "AND",
        Rule::kw_or => "OR",
        Rule::kw_not => "NOT",
        Rule::kw_like => "LIKE",
        Rule::kw_between => "BETWEEN",
        Rule::kw_in => "IN",
        Rule::kw_is => "IS",
        Rule::kw_null => "NULL",
        Rule::EOI => "the end of the expression",
        _ => return None,
    })
}

/// A scalar as written: a column, or a literal not yet fitted to a column's type.
enum Scalar<'i> {
    Column(Column),
    Text(String),
    Number { value: f64, integer: Option<i64>, text: &'i str },
    Boolean(bool),
    Date(String),
}

struct Checker<'a> {
    kind: &'a LayerKind,
    text: &'a str,
    spatial: &'a mut Vec<SpatialTest>,
}

impl<'a> Checker<'a> {
    fn err<T>(&self, pair: &Pair<'_, Rule>, message: String) -> Result<T> {
        Err(FilterError::at(self.text, pair.as_span().start(), message))
    }

    fn or_expr(&mut self, pair: Pair<'_, Rule>) -> Result<Expr> {
        let mut parts = Vec::new();
        for p in pair.into_inner().filter(|p| p.as_rule() == Rule::and_expr) {
            parts.push(self.and_expr(p)?);
        }
        Ok(if parts.len() == 1 { parts.pop().expect("one") } else { Expr::Or(parts) })
    }

    fn and_expr(&mut self, pair: Pair<'_, Rule>) -> Result<Expr> {
        let mut parts = Vec::new();
        for p in pair.into_inner().filter(|p| p.as_rule() == Rule::not_expr) {
            parts.push(self.not_expr(p)?);
        }
        Ok(if parts.len() == 1 { parts.pop().expect("one") } else { Expr::And(parts) })
    }

    fn not_expr(&mut self, pair: Pair<'_, Rule>) -> Result<Expr> {
        let mut nots = 0;
        let mut inner = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::kw_not => nots += 1,
                _ => inner = Some(self.primary(p)?),
            }
        }
        let mut e = inner.expect("a condition follows NOT");
        for _ in 0..nots {
            e = Expr::Not(Box::new(e));
        }
        Ok(e)
    }

    fn primary(&mut self, pair: Pair<'_, Rule>) -> Result<Expr> {
        match pair.as_rule() {
            Rule::or_expr => self.or_expr(pair),
            Rule::boolean => Ok(Expr::Constant(pair.as_str().eq_ignore_ascii_case("true"))),
            Rule::comparison => self.comparison(pair),
            Rule::like => self.like(pair),
            Rule::between => self.between(pair),
            Rule::in_list => self.in_list(pair),
            Rule::is_null => {
                let mut it = pair.into_inner();
                let target = it.next().expect("a scalar");
                let negated = it.any(|p| p.as_rule() == Rule::kw_not);
                let column = self.column_operand(&target, "IS NULL")?;
                let e = Expr::IsNull(column);
                Ok(if negated { Expr::Not(Box::new(e)) } else { e })
            }
            Rule::spatial => self.spatial(pair),
            r => unreachable!("the grammar has no other condition: {r:?}"),
        }
    }

    /// A scalar as written; a property must be one of the layer's columns.
    fn scalar<'i>(&self, pair: &Pair<'i, Rule>) -> Result<Scalar<'i>> {
        Ok(match pair.as_rule() {
            Rule::property => Scalar::Column(self.column(pair)?),
            Rule::string => Scalar::Text(unquote(pair.as_str())),
            Rule::number => {
                let text = pair.as_str();
                let value: f64 = match text.parse() {
                    Ok(v) if f64::is_finite(v) => v,
                    _ => return self.err(pair, format!("`{text}` is not a number wardgis can hold")),
                };
                Scalar::Number { value, integer: text.parse().ok(), text }
            }
            Rule::boolean => Scalar::Boolean(pair.as_str().eq_ignore_ascii_case("true")),
            Rule::date => {
                let s = pair.clone().into_inner().find(|p| p.as_rule() == Rule::string).expect("DATE holds a string");
                let day = unquote(s.as_str());
                if day.parse::<Day>().is_err() {
                    return self.err(&s, format!("`{day}` is not {}", Day::EXPECTED));
                }
                Scalar::Date(day)
            }
            r => unreachable!("the grammar has no other scalar: {r:?}"),
        })
    }

    fn column(&self, pair: &Pair<'_, Rule>) -> Result<Column> {
        let raw = pair.as_str();
        let name = raw.strip_prefix('"').and_then(|s| s.strip_suffix('"')).unwrap_or(raw);
        match Column::of(self.kind, name) {
            Some(c) => Ok(c),
            None if name == GEOMETRY => {
                self.err(pair, format!("`{GEOMETRY}` is the geometry; compare it with S_INTERSECTS, S_WITHIN, S_CONTAINS or S_DISJOINT"))
            }
            None => self.err(
                pair,
                format!(
                    "unknown field `{name}`; layer `{}` has: {} (and `{GEOMETRY}` in spatial functions)",
                    self.kind.id,
                    Column::accepted(self.kind).join(", ")
                ),
            ),
        }
    }

    /// The column a one-column condition (`LIKE`, `IN`, `IS NULL`…) tests.
    fn column_operand(&self, pair: &Pair<'_, Rule>, what: &str) -> Result<Column> {
        match self.scalar(pair)? {
            Scalar::Column(c) => Ok(c),
            _ => self.err(pair, format!("{what} tests a field: write the field's name here")),
        }
    }

    fn comparison(&mut self, pair: Pair<'_, Rule>) -> Result<Expr> {
        let mut it = pair.into_inner();
        let (left, op, right) = (it.next().expect("left"), it.next().expect("op"), it.next().expect("right"));
        let mut cmp = match op.as_str() {
            "=" => CmpOp::Eq,
            "<>" => CmpOp::Ne,
            "<" => CmpOp::Lt,
            "<=" => CmpOp::Le,
            ">" => CmpOp::Gt,
            ">=" => CmpOp::Ge,
            o => unreachable!("the grammar has no operator {o}"),
        };
        let (l, r) = (self.scalar(&left)?, self.scalar(&right)?);
        let (column, column_pair, other, other_pair) = match (l, r) {
            (Scalar::Column(c), other) => (c, &left, other, &right),
            (other, Scalar::Column(c)) => {
                cmp = flip(cmp);
                (c, &right, other, &left)
            }
            _ => return self.err(&left, "a comparison needs a field on one side".into()),
        };
        if matches!(column.ty, FieldType::Boolean | FieldType::Enum) && !matches!(cmp, CmpOp::Eq | CmpOp::Ne) {
            return self.err(
                column_pair,
                format!("field `{}` has no order; compare it with = or <>", column.name),
            );
        }
        let value = match other {
            Scalar::Column(c2) => {
                if class(column.ty) != class(c2.ty) {
                    return self.err(other_pair, format!("fields `{}` and `{}` hold different kinds of values", column.name, c2.name));
                }
                Operand::Column(c2)
            }
            lit => Operand::Value(self.fit(&column, lit, other_pair)?),
        };
        Ok(Expr::Compare { column, op: cmp, value })
    }

    fn like(&mut self, pair: Pair<'_, Rule>) -> Result<Expr> {
        let mut it = pair.into_inner();
        let target = it.next().expect("target");
        let mut negated = false;
        let mut pattern = None;
        for p in it {
            match p.as_rule() {
                Rule::kw_not => negated = true,
                Rule::kw_like => {}
                _ => pattern = Some(p),
            }
        }
        let pattern = pattern.expect("a pattern");
        let column = self.column_operand(&target, "LIKE")?;
        if !matches!(column.ty, FieldType::Text | FieldType::Enum) {
            return self.err(&target, format!("LIKE matches text; field `{}` is not text", column.name));
        }
        let Scalar::Text(pattern) = self.scalar(&pattern)? else {
            return self.err(&pattern, "LIKE needs a pattern in single quotes, e.g. '%充电%'".into());
        };
        let e = Expr::Like { column, pattern };
        Ok(if negated { Expr::Not(Box::new(e)) } else { e })
    }

    fn between(&mut self, pair: Pair<'_, Rule>) -> Result<Expr> {
        let mut negated = false;
        let mut scalars = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::kw_not => negated = true,
                Rule::kw_between | Rule::kw_and => {}
                _ => scalars.push(p),
            }
        }
        let [target, low, high] = &scalars[..] else { unreachable!("BETWEEN has three scalars") };
        let column = self.column_operand(target, "BETWEEN")?;
        if !matches!(class(column.ty), 0 | 2) {
            return self.err(target, format!("BETWEEN needs a number or date field; `{}` is neither", column.name));
        }
        let low_value = self.scalar(low)?;
        let high_value = self.scalar(high)?;
        let e = Expr::Between { low: self.fit(&column, low_value, low)?, high: self.fit(&column, high_value, high)?, column };
        Ok(if negated { Expr::Not(Box::new(e)) } else { e })
    }

    fn in_list(&mut self, pair: Pair<'_, Rule>) -> Result<Expr> {
        let mut negated = false;
        let mut scalars = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::kw_not => negated = true,
                Rule::kw_in => {}
                _ => scalars.push(p),
            }
        }
        let column = self.column_operand(&scalars[0], "IN")?;
        let mut values = Vec::new();
        for p in &scalars[1..] {
            let s = self.scalar(p)?;
            values.push(self.fit(&column, s, p)?);
        }
        let e = Expr::In { column, values };
        Ok(if negated { Expr::Not(Box::new(e)) } else { e })
    }

    fn spatial(&mut self, pair: Pair<'_, Rule>) -> Result<Expr> {
        let mut it = pair.into_inner();
        let op_pair = it.next().expect("op");
        let (a, b) = (it.next().expect("first"), it.next().expect("second"));
        let mut op = match op_pair.as_str().to_ascii_uppercase().as_str() {
            "S_INTERSECTS" => SpatialOp::Intersects,
            "S_WITHIN" => SpatialOp::Within,
            "S_CONTAINS" => SpatialOp::Contains,
            "S_DISJOINT" => SpatialOp::Disjoint,
            o => unreachable!("the grammar has no spatial function {o}"),
        };
        let is_geom = |p: &Pair<'_, Rule>| p.as_rule() == Rule::property;
        let (property, literal) = match (is_geom(&a), is_geom(&b)) {
            (true, false) => (a, b),
            (false, true) => {
                op = match op {
                    SpatialOp::Within => SpatialOp::Contains,
                    SpatialOp::Contains => SpatialOp::Within,
                    o => o,
                };
                (b, a)
            }
            (true, true) => return self.err(&b, format!("compare `{GEOMETRY}` with a geometry literal (WKT or BBOX) here")),
            (false, false) => return self.err(&a, format!("one argument must be the layer's geometry `{GEOMETRY}`")),
        };
        let name = property.as_str().trim_matches('"');
        if name != GEOMETRY {
            return self.err(&property, format!("`{name}` is not the layer's geometry; write `{GEOMETRY}`"));
        }
        let geometry = self.geometry(&literal)?;
        self.spatial.push(SpatialTest { op, geometry });
        Ok(Expr::Spatial(self.spatial.len() - 1))
    }

    /// A WKT or BBOX literal, in WGS84 longitude/latitude.
    fn geometry(&self, pair: &Pair<'_, Rule>) -> Result<Geometry<f64>> {
        let g = match pair.as_rule() {
            Rule::bbox => {
                let n: Vec<f64> = pair
                    .clone()
                    .into_inner()
                    .filter(|p| p.as_rule() == Rule::number)
                    .map(|p| p.as_str().parse::<f64>().unwrap_or(f64::NAN))
                    .collect();
                let [w, s, e, nn] = n[..] else { unreachable!("BBOX has four numbers") };
                if !(w <= e && s <= nn) {
                    return self.err(pair, "BBOX is (west, south, east, north): west must not exceed east, nor south north".into());
                }
                Geometry::Polygon(Rect::new((w, s), (e, nn)).to_polygon())
            }
            Rule::wkt => match Geometry::<f64>::try_from_wkt_str(pair.as_str()) {
                Ok(g) => g,
                Err(e) => return self.err(pair, format!("not valid WKT: {e}")),
            },
            r => unreachable!("the grammar has no other geometry: {r:?}"),
        };
        use geo::CoordsIter;
        if g.coords_iter().any(|c| !(c.x.is_finite() && c.y.is_finite() && c.x.abs() <= 180.0 && c.y.abs() <= 90.0)) {
            return self.err(pair, "coordinates are WGS84 longitude then latitude (−180…180, −90…90)".into());
        }
        Ok(g)
    }

    /// A literal as a value of `column`'s type, or an error saying what the column takes.
    fn fit(&self, column: &Column, lit: Scalar<'_>, pair: &Pair<'_, Rule>) -> Result<Literal> {
        let name = &column.name;
        match (column.ty, lit) {
            (_, Scalar::Column(_)) => unreachable!("columns are handled by the caller"),
            (FieldType::Integer, Scalar::Number { integer: Some(i), .. }) => Ok(Literal::Integer(i)),
            (FieldType::Integer | FieldType::Real, Scalar::Number { value, .. }) => Ok(Literal::Real(value)),
            (FieldType::Integer | FieldType::Real, _) => {
                self.err(pair, format!("field `{name}` holds numbers; write a number such as 20, without quotes"))
            }
            (FieldType::Text, Scalar::Text(s)) => Ok(Literal::Text(s)),
            (FieldType::Text, Scalar::Number { text, .. }) => {
                self.err(pair, format!("field `{name}` holds text; write the value in single quotes: '{text}'"))
            }
            (FieldType::Text, _) => self.err(pair, format!("field `{name}` holds text; write the value in single quotes")),
            (FieldType::Enum, Scalar::Text(s)) => {
                let field = self.kind.field(name).expect("an enum column is a catalog field");
                match field.enum_value(&s) {
                    Some(v) => Ok(Literal::Text(v.value.clone())),
                    None => self.err(
                        pair,
                        format!(
                            "`{s}` is not a value of field `{name}`; values: {}",
                            field.values.iter().map(|v| format!("'{}' ({} / {})", v.value, v.zh, v.en)).collect::<Vec<_>>().join(", ")
                        ),
                    ),
                }
            }
            (FieldType::Enum, _) => self.err(pair, format!("field `{name}` takes one of its values in single quotes, e.g. '…'")),
            (FieldType::Boolean, Scalar::Boolean(b)) => Ok(Literal::Boolean(b)),
            (FieldType::Boolean, _) => self.err(pair, format!("field `{name}` is yes/no; write TRUE or FALSE")),
            (FieldType::Date, Scalar::Date(d)) => Ok(Literal::Date(d)),
            (FieldType::Date, Scalar::Text(s)) if s.parse::<Day>().is_ok() => Ok(Literal::Date(s)),
            (FieldType::Date, _) => self.err(pair, format!("field `{name}` holds dates; write DATE('2025-01-01')")),
        }
    }
}

/// Kinds of values that compare with each other: numbers (0), text (1), dates (2), yes/no (3).
fn class(ty: FieldType) -> u8 {
    match ty {
        FieldType::Integer | FieldType::Real => 0,
        FieldType::Text | FieldType::Enum => 1,
        FieldType::Date => 2,
        FieldType::Boolean => 3,
    }
}

/// `a op b` as `b op' a`.
fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        o => o,
    }
}

/// A single-quoted CQL2 string's content (`''` is one quote).
fn unquote(s: &str) -> String {
    s[1..s.len() - 1].replace("''", "'")
}
