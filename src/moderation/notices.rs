//! Telling people about moderation decisions: an in-app notification and an email, in the
//! reader's language, queued in the unit of work of the decision.

use crate::clock::Timestamp;
use crate::error::Result;
use crate::identity::repo::UserRecord;
use crate::learning::repo::{self as learning, NotificationKind};
use crate::mail::templates::{self, Decision, DecisionFacts};
use crate::mail::{self};
use crate::store::Tx;

#[derive(Debug, Clone)]
pub struct Notices {
    pub school: String,
    /// Without a trailing slash.
    pub public_url: String,
}

impl Notices {
    /// Tells `user` of decision `d`; `path` is the page it is about (`/courses/slug`).
    pub fn tell(
        &self,
        tx: &mut Tx<'_>,
        user: &UserRecord,
        d: Decision,
        path: &str,
        facts: &DecisionFacts<'_>,
        now: Timestamp,
    ) -> Result<()> {
        let (title, body) = templates::decision_notice(d, &user.locale, &self.school, facts);
        learning::notify(tx, user.id, NotificationKind::Moderation, title, body, path.to_owned(), now)?;
        let url = format!("{}{path}", self.public_url);
        let email = templates::decision(d, &user.locale, &user.email, &user.name, &self.school, &url, facts);
        mail::enqueue(tx, email, now)?;
        Ok(())
    }
}
