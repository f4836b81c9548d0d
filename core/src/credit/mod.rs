//! The red/black list (红黑榜) of 门前三包 responsibility units (issue 15, first pieces): the
//! rules as data ([`rules`]), a month's evidence from the project's inspection results and
//! orders ([`evidence`]) and the month's scores ([`score`]). Recording
//! violations, publishing months and the notices come next (session-notes/issue15-plan.md).

pub mod evidence;
pub mod rules;
pub mod score;
