//! Planning: where the gaps in residents' facilities are and where new ones should go
//! (issue 14). So far: [`coverage`], demand and how well facilities cover it by straight-line
//! distance, [`network`], walking distance along the streets, and [`mclp`], the maximal covering location problem solved with a proven bound.

pub mod coverage;
pub mod mclp;
pub mod network;
