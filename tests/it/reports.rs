//! CI reports stay bounded and well-formed (hardening, third round, findings 3 and 5).
