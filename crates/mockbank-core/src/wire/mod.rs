//! The wire: every shape that crosses a boundary (the directory and admin APIs, the CLI's
//! JSON, the UI), typed once with serde and generated for the UI with ts-rs, so that a
//! producer and its readers cannot drift apart: a change is a compile error on both sides.
//!
//! Producers build these types and serialise them; readers (the reference TPP, the CLI, the
//! tests, the UI) deserialise them. Free-form JOSE documents (claims, JWK sets, discovery)
//! stay JSON values inside them.

pub mod admin;
pub mod compare;
pub mod directory;
pub mod walkthrough;
