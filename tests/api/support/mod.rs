//! What the API tests share beyond starting a server (`helpers`): [`Reply`], [`Actor`] and the
//! typed clients per resource (`app.courses(&teacher).create(..)`), and the authorization-table
//! runner ([`check_table`]) that each domain's `authorization_table` test feeds.

mod authz;
mod clients;
mod reply;

pub use authz::*;
pub use clients::*;
pub use reply::*;
