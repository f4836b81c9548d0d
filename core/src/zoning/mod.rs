//! Zones of the district and what lies in them: the spatial join that writes into each
//! feature the community, subdistrict and unit grid cell holding it ([`join`]), and the unit
//! grid itself (单元网格, [`grid`]).
//!
//! Which fields a join fills is the catalog's to say (a field's `join` key), so a new layer
//! kind gets joined fields by an edit in `layers/`. Both steps are one action each, undone by
//! replaying the edit log backwards like any feature edit.

pub mod grid;
pub mod join;

#[cfg(test)]
mod tests;
