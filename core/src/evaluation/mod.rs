//! Third-party evaluation after the draw: what evaluators do with a plan.
//!
//! A plan ([`crate::sampling::plan::PlanRecord`]) says which sites to visit; [`write_workbook`] turns
//! it into an XLSX an evaluator can fill in Excel or WPS: one sheet per evaluator (the sites
//! split by area), one row per site, one column per checklist item of the site's layer;
//! [`import_results`] reads the filled workbook back, checks every cell and stores the results;
//! [`plan_estimates`] turns them into mean scores and pass rates with confidence intervals;
//! [`orders`] follows every failed item through rectification and re-inspection.

pub(crate) mod cells;
mod estimates;
pub mod order_records;
pub mod orders;
mod reinspection_sheet;
mod results;
pub mod site_results;
mod table_file;
mod workbook;

pub use estimates::{estimates_csv, estimates_table, method_for, plan_estimates, EstimateRow, OVERALL};
pub use cells::column_letter;
pub use order_records::{NewOrder, Order, OrderEvent, OrderEventKind, OrderState};
pub use site_results::{ItemScore, SiteResult};
pub use reinspection_sheet::{
    import_reinspections, read_reinspections, write_reinspection_workbook, REINSPECTION_HEADERS, REINSPECTION_SHEET,
};
pub use results::{import_results, read_results};
pub use table_file::{Cell, Table};

pub use workbook::{
    evaluator_sheet_name, item_columns, plan_sites, split_sites, write_workbook, ItemColumn, SheetSite, WorkbookSummary,
    BASE_MARK, FIXED_HEADERS, INSTRUCTIONS_SHEET, REPLACEMENT_MARK, TRAILING_HEADERS,
};
