//! Planning: where the gaps in residents' facilities are and where new ones should go
//! (issue 14): pilot zones ([`zones`]), demand and how well facilities cover it
//! ([`coverage`]) by walking distance along the streets ([`network`]) or in a straight line
//! ([`distance`]), and the maximal covering location problem solved with a proven bound
//! ([`mclp`]).

pub mod coverage;
pub mod distance;
pub mod gaps;
pub mod mclp;
pub mod network;
pub mod report;
pub mod report_pdf;
pub mod report_xlsx;
pub mod scenarios;
pub mod suggest;
pub mod zones;
