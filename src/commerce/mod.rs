//! Selling courses: orders, payment providers (Stripe, YooKassa, and a built-in test provider for
//! demos and development), and the provider events that move an order.
//!
//! An order is created `pending`, the buyer pays on the provider's hosted page, and the
//! provider's event (a signed webhook, a YooKassa notification confirmed by reading the payment
//! back from YooKassa's API, or the test page's button) marks it paid. Marking it paid
//! and enrolling the buyer happen in one unit of work, and every provider event is recorded by
//! its id, so an event applied twice, or out of order, changes nothing the second time.
//!
//! Dependency direction: commerce → learning, catalog, identity (docs/ARCHITECTURE.md).

pub mod coupons;
pub mod ledger;
pub mod money_routes;
pub mod notices;
pub mod payouts;
pub mod reconcile;
pub mod refunds;
pub mod repo;
pub mod routes;
pub mod service;
pub mod stripe;
pub mod yookassa;

pub use service::Commerce;
