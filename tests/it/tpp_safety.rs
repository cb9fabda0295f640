//! What a malicious bank cannot do to the reference TPP (hardening, third round, finding 4).
