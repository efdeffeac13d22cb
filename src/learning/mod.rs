//! Learning: enrollments, progress, reviews, wishlist and notifications.

pub mod repo;
