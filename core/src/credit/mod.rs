//! The red/black list (红黑榜) of 门前三包 responsibility units (issue 15, first pieces): the
//! rules as data ([`rules`]) and a month's scores from the evidence ([`score`]). Recording
//! violations, publishing months and the notices come next (session-notes/issue15-plan.md).

pub mod rules;
pub mod score;
