//! Learning: enrollments, progress, reviews, wishlist and notifications.

pub mod events;
pub mod locks;
pub mod media;
pub mod repo;
pub mod routes;
pub mod service;

pub use service::Learning;
