//! The stop requests mockbank answers and passes on: SIGINT and SIGTERM on Unix; elsewhere
//! (Windows) Ctrl-C only, which the console delivers to a child process by itself, so there
//! is nothing to forward.

/// A request to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(unix), allow(dead_code))]
pub enum Stop {
    Interrupt,
    Terminate,
}

/// The installed handlers; install them before announcing readiness, since a script may
/// stop mockbank right away.
pub struct Signals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
}

impl Signals {
    pub fn install() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(Signals {
                term: signal(SignalKind::terminate())?,
                int: signal(SignalKind::interrupt())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    /// The next stop request.
    pub async fn next(&mut self) -> Stop {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.int.recv() => Stop::Interrupt,
                _ = self.term.recv() => Stop::Terminate,
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            Stop::Interrupt
        }
    }
}

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
