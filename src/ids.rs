//! Typed identifiers. Every id is a ULID (time-sortable, opaque to clients), stored in redb as a
//! `u128` key and shown as its 26-character Crockford string. Distinct types keep a `UserId`
//! from ever being passed where a `CourseId` is expected.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;
use ulid::Ulid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, utoipa::ToSchema)]
        #[schema(value_type = String, example = "01JD3Z6Q8K5V4T2N1M0P9R8S7A")]
        pub struct $name(pub Ulid);

        impl $name {
            pub fn generate() -> Self {
                Self(Ulid::generate())
            }
            pub fn key(self) -> u128 {
                self.0.0
            }
            pub fn from_key(k: u128) -> Self {
                Self(Ulid(k))
            }
        }

        impl crate::cache::Weigh for $name {
            fn weight(&self) -> usize {
                std::mem::size_of::<Self>()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl FromStr for $name {
            type Err = ulid::DecodeError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ulid::from_string(s).map(Self)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

id_type!(
    /// A person with an account.
    UserId
);
id_type!(
    /// A refresh-token family: one sign-in and every token rotated from it.
    FamilyId
);
id_type!(
    /// An outgoing email in the outbox.
    MessageId
);

id_type!(
    /// A course category.
    CategoryId
);
id_type!(
    /// A course.
    CourseId
);
id_type!(
    /// A module (section) of a course.
    ModuleId
);
id_type!(
    /// A lesson inside a module.
    LessonId
);
id_type!(
    /// A review of a course.
    ReviewId
);
id_type!(
    /// An in-app notification.
    NotificationId
);
id_type!(
    /// A question asked under a lesson (lesson Q&A).
    QuestionId
);
id_type!(
    /// An answer to a lesson question.
    AnswerId
);
id_type!(
    /// An order: one person buying one course.
    OrderId
);
id_type!(
    /// A coupon: a discount code for one course or the whole school.
    CouponId
);
id_type!(
    /// A teacher's request to be paid what they have earned.
    PayoutId
);
id_type!(
    /// One balanced transaction of the ledger.
    LedgerTxId
);
id_type!(
    /// One entry of the audit log.
    AuditId
);
id_type!(
    /// A user's report of a course, lesson, review, teacher or question.
    ReportId
);
id_type!(
    /// An uploaded file (a cover, a lesson video, an attachment, a verification document).
    UploadId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_string_and_key() {
        let id = UserId::generate();
        let s = id.to_string();
        assert_eq!(s.len(), 26);
        assert_eq!(s.parse::<UserId>().unwrap(), id);
        assert_eq!(UserId::from_key(id.key()), id);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(serde_json::from_str::<UserId>(&json).unwrap(), id);
    }

    #[test]
    fn later_ids_sort_after_earlier_ones() {
        let a = UserId::generate();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = UserId::generate();
        assert!(b.key() > a.key());
    }
}
