//! Scenario Markdown and handouts are sanitised (hardening, third round, finding 8).
