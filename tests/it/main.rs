//! Black-box tests of the `mockbank` binary, one test binary for link time (see
//! ARCHITECTURE §6.6): each test starts the real server on `127.0.0.1:0` and speaks HTTPS.

mod common;

mod admin;
mod authority;
mod ci;
mod cli;
mod client_assertions;
mod connections;
mod delete_is_final;
mod directory;
mod distribution;
mod generic_errors;
mod generic_lifecycle;
mod hardening;
mod management;
mod mtls;
mod obuk;
mod ofb;
mod overrides;
mod persistence;
mod protect;
mod readme;
mod redaction;
mod reports;
mod scenario;
mod scenario_html;
mod stet;
mod token;
mod tpp;
mod tpp_safety;
mod ui;
