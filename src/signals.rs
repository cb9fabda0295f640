//! The stop requests mockbank answers and passes on: SIGINT and SIGTERM on Unix; elsewhere
//! (Windows) Ctrl-C only, which the console delivers to a child process by itself, so there
//! is nothing to forward. Listening for them is `mockbank_server::shutdown`'s.

// The handlers themselves are the server crate's, which the desktop app uses too.
pub use mockbank_server::shutdown::{Signals, Stop};

/// Passes a stop request on to a child process (Unix: `kill -TERM|-INT PID`).
pub fn forward(pid: u32, stop: Stop) {
    #[cfg(unix)]
    {
        let name = match stop {
            Stop::Interrupt => "-INT",
            Stop::Terminate => "-TERM",
        };
        let _ = std::process::Command::new("kill")
            .args([name, &pid.to_string()])
            .status();
    }
    #[cfg(not(unix))]
    let _ = (pid, stop);
}

/// A finished command's exit code as shells report it: its own code, or 128 + the signal's
/// number for one killed by a signal (Unix).
pub fn shell_exit_code(status: std::process::ExitStatus) -> i32 {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        status
            .code()
            .or_else(|| status.signal().map(|s| 128 + s))
            .unwrap_or(1)
    }
    #[cfg(not(unix))]
    status.code().unwrap_or(1)
}
