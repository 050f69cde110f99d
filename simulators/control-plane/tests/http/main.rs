//! HTTP-level tests of the reference control plane: real server, real SQLite file (or the
//! PostgreSQL database in `SSAP_TEST_DATABASE`, see `common::database`), the ssap-api clients
//! every other crate uses.

mod authenticate;
mod bad_input;
mod common;
mod contract;
mod end_to_end;
mod enumeration;
mod federation;
mod fuzz;
mod isolation;
mod paging;
mod protocol;
mod provision;
mod start;
mod tls;
mod two_servers;
