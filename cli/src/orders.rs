//! `wardgis orders`: list rectification orders, record re-inspections and assignments.

use std::io::Write;

use wardgis::dates::{today_cst, Day};
use wardgis::evaluation::orders::{self, list_orders, orders_table, OrderFilter, OrderView, Reinspection};
use wardgis::evaluation::{Order, OrderState};
use wardgis::{Catalog, Project};

use crate::args::{OrderStateArg, OrdersArgs, OrdersCommand, PassFailArg};
use crate::commands::Failure;

fn day(arg: Option<&str>, flag: &str) -> Result<Day, Failure> {
    match arg {
        None => Ok(today_cst()),
        Some(s) => s.parse().map_err(|_| Failure::Usage(format!("{flag} `{s}`: expected a date YYYY-MM-DD, e.g. 2026-05-01"))),
    }
}

/// Dispatches `wardgis orders …`.
pub fn run(catalog: Catalog, a: &OrdersArgs) -> Result<(), Failure> {
    match &a.action {
        None => {
            let project = a.project.as_deref().ok_or_else(|| Failure::Usage("orders: the project file is missing".into()))?;
            list(&Project::open(project, catalog)?, a)
        }
        Some(OrdersCommand::Reinspect { project, order, result, date, score, note }) => {
            let p = Project::open(project, catalog)?;
            // A data error (exit 1), as the core reported it when it took the text.
            let on = date.parse().map_err(|_| {
                Failure::Data(wardgis::Error::Invalid(format!("date `{date}`: expected YYYY-MM-DD, e.g. 2026-05-01")))
            })?;
            let r = Reinspection { order: *order, passed: *result == PassFailArg::Pass, on, score: *score, note: note.clone() };
            let o = orders::reinspect(&p, &r)?;
            let c = o.current();
            let _ = writeln!(std::io::stdout().lock(), "order {}: {} (deadline {})", o.id, c.state.as_str(), c.deadline);
            Ok(())
        }
        Some(OrdersCommand::Assign { project, order, to, deadline, date, note }) => {
            let p = Project::open(project, catalog)?;
            let on = day(date.as_deref(), "--date")?;
            let o = orders::assign(&p, *order, to.as_deref(), deadline.as_deref(), on, note)?;
            let c = o.current();
            let _ = writeln!(
                std::io::stdout().lock(),
                "order {}: responsible `{}`, deadline {}, {}",
                o.id,
                c.responsible,
                c.deadline,
                c.state.as_str()
            );
            Ok(())
        }
        Some(OrdersCommand::Sheet { project, out, overdue, plan, as_of }) => {
            let p = Project::open(project, catalog)?;
            let filter = OrderFilter { plan: plan.clone(), state: Some(OrderState::Open), overdue_only: *overdue };
            let views = list_orders(&p, &filter, day(as_of.as_deref(), "--as-of")?)?;
            if views.is_empty() {
                return Err(Failure::Data(wardgis::Error::Invalid("no open order matches; nothing to re-inspect".into())));
            }
            wardgis::evaluation::write_reinspection_workbook(&p, &views, out)?;
            let _ = writeln!(std::io::stdout().lock(), "wrote {} ({} order(s))", out.display(), views.len());
            Ok(())
        }
        Some(OrdersCommand::Import { project, file }) => {
            let p = Project::open(project, catalog)?;
            let done = wardgis::evaluation::import_reinspections(&p, file)?;
            let closed = done.iter().filter(|o| o.current().state == OrderState::Closed).count();
            let _ = writeln!(
                std::io::stdout().lock(),
                "re-inspected {} order(s): {closed} closed, {} open",
                done.len(),
                done.len() - closed
            );
            Ok(())
        }
        Some(OrdersCommand::Show { project, order, json }) => {
            let p = Project::open(project, catalog)?;
            let o = p.order(*order)?;
            if *json {
                let mut out = std::io::stdout().lock();
                serde_json::to_writer_pretty(&mut out, &o).map_err(|e| Failure::Usage(e.to_string()))?;
                let _ = writeln!(out);
                return Ok(());
            }
            show(&o);
            Ok(())
        }
    }
}

fn list(p: &Project, a: &OrdersArgs) -> Result<(), Failure> {
    let today = day(a.as_of.as_deref(), "--as-of")?;
    let filter = OrderFilter {
        plan: a.plan.clone(),
        state: match a.state {
            OrderStateArg::Open => Some(OrderState::Open),
            OrderStateArg::Closed => Some(OrderState::Closed),
            OrderStateArg::All => None,
        },
        overdue_only: a.overdue,
    };
    let views = list_orders(p, &filter, today)?;
    if let Some(out) = &a.out {
        orders_table(&views).write(out, "整改单 orders")?;
    }
    if a.json {
        let mut o = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut o, &views).map_err(|e| Failure::Usage(e.to_string()))?;
        let _ = writeln!(o);
    } else {
        print_table(&views, today);
    }
    if let Some(out) = &a.out {
        eprintln!("wrote {} order(s) to {}", views.len(), out.display());
    }
    Ok(())
}

fn print_table(views: &[OrderView], today: Day) {
    let mut o = std::io::stdout().lock();
    let _ = writeln!(
        o,
        "{:>5}  {:<6}  {:<8}  {:<10}  {:<10}  {:<20}  {:<24}  {:<6}  responsible",
        "id", "state", "overdue", "opened", "deadline", "layer", "site", "item"
    );
    for v in views {
        let overdue = if v.overdue { format!("{} d", v.days_overdue) } else { String::new() };
        let site = format!("#{} {}", v.order.site_no, v.name);
        let item = if v.order.item_id.is_empty() { "(site)".to_owned() } else { v.order.item_id.clone() };
        let who = if v.responsible.is_empty() { "(unassigned)" } else { v.responsible.as_str() };
        let _ = writeln!(
            o,
            "{:>5}  {:<6}  {:<8}  {:<10}  {:<10}  {:<20}  {:<24}  {:<6}  {}",
            v.order.id,
            v.state.as_str(),
            overdue,
            v.order.opened_on,
            v.deadline,
            v.order.layer,
            site,
            item,
            who
        );
    }
    let open = views.iter().filter(|v| v.state == OrderState::Open).count();
    let overdue = views.iter().filter(|v| v.overdue).count();
    let _ = writeln!(o, "{} order(s): {open} open, {overdue} overdue on {today}", views.len());
}

fn show(o: &Order) {
    let mut out = std::io::stdout().lock();
    let c = o.current();
    let item = if o.item_id.is_empty() { "(site as a whole)" } else { o.item_id.as_str() };
    let _ = writeln!(out, "order {}: plan `{}` site {} — {} fid {}, item {item}", o.id, o.plan, o.site_no, o.layer, o.fid);
    let _ = writeln!(out, "state {}, deadline {}, responsible `{}`", c.state.as_str(), c.deadline, c.responsible);
    let _ = writeln!(out, "history:");
    for e in &o.history {
        let score = e.score.map(|s| format!(" score {s}")).unwrap_or_default();
        let note = if e.note.is_empty() { String::new() } else { format!(" — {}", e.note) };
        let _ = writeln!(out, "  {}  {:<19} → {:<6} deadline {}{score}{note}", e.on, e.kind.as_str(), e.state.as_str(), e.deadline);
    }
}
