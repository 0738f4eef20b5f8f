//! A real SMTP server for the service tests: aiosmtpd (PyPI, pinned in .ci/python-tools.txt) on a loopback
//! port, keeping what it receives in a maildir that the tests read back.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct SmtpSink {
    child: Child,
    maildir: tempfile::TempDir,
    pub port: u16,
}

/// One message as received: its envelope recipient's header, subject and (decoded) text, and the whole message
/// as it came (for the tests that read its MIME parts).
#[derive(Debug, Clone)]
pub struct Received {
    pub to: String,
    pub subject: String,
    pub body: String,
    pub raw: String,
}

fn python_tools() -> PathBuf {
    std::env::var("SIGNET_PYTHON_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/signet-tools/venv/bin"))
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let maildir = tempfile::tempdir().unwrap();
        let child = Command::new(python_tools().join("python"))
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.path().join("mail"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd (.ci/signet.sh installs the Python test tools)");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "aiosmtpd did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        SmtpSink { child, maildir, port }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}?tls=none", self.port)
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        let new = self.maildir.path().join("mail").join("new");
        let Ok(entries) = std::fs::read_dir(new) else { return Vec::new() };
        entries.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok()).map(|raw| parse(&raw)).collect()
    }

    /// Waits until `n` messages whose subject contains `subject` have arrived; those messages.
    pub async fn wait_for(&self, subject: &str, n: usize) -> Vec<Received> {
        let started = Instant::now();
        loop {
            let found: Vec<Received> = self.received().into_iter().filter(|m| m.subject.contains(subject)).collect();
            if found.len() >= n {
                return found;
            }
            assert!(started.elapsed() < Duration::from_secs(20), "{n} × {subject:?}; received {:?}", self.received());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Headers and the body of a plain-text message as lettre writes it (7bit or quoted-printable).
fn parse(raw: &str) -> Received {
    let raw = raw.replace("\r\n", "\n");
    let (head, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
    let header = |name: &str| {
        head.lines()
            .find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix(':')))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let quoted = header("Content-Transfer-Encoding").eq_ignore_ascii_case("quoted-printable");
    Received {
        to: header("To"),
        subject: header("Subject"),
        body: if quoted { decode_quoted_printable(body) } else { body.to_string() },
        raw: raw.clone(),
    }
}

fn decode_quoted_printable(text: &str) -> String {
    let joined = text.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (
            bytes[i],
            bytes.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()),
        ) {
            (b'=', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
