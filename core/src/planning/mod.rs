//! Planning: where the gaps in residents' facilities are and where new ones should go
//! (issue 14). So far the location model: [`mclp`], the maximal covering location problem
//! solved with a proven bound.

pub mod mclp;
