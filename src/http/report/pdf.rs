//! The report printed to PDF by headless Chromium (docs/targets.md, "Why Chromium prints the PDF"), for the
//! CLI and for `GET /reports/annual?f=pdf`. `CHROMIUM` names another binary than /usr/bin/chromium.

use crate::http::error::{ApiError, ApiResult};
use axum::http::StatusCode;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// One Chromium at a time: a browser per request would let a few requests exhaust a small server's memory.
static PRINTING: Mutex<()> = Mutex::new(());
static SEQ: AtomicU64 = AtomicU64::new(0);

/// Prints `html` to the PDF file `out` (blocking: Chromium runs to completion).
pub fn print_to(html: &str, out: &Path) -> Result<(), String> {
    let _one = PRINTING.lock().unwrap_or_else(|e| e.into_inner());
    let n = SEQ.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("landguard-report-{}-{n}", std::process::id()));
    let page = dir.join("report.html");
    let run = || -> Result<(), String> {
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        std::fs::write(&page, html).map_err(|e| format!("cannot write {}: {e}", page.display()))?;
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let status = std::process::Command::new(&chromium)
            .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer"])
            .arg(format!("--user-data-dir={}", dir.join("profile").display()))
            .arg(format!("--print-to-pdf={}", out.display()))
            .arg(format!("file://{}", page.display()))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .map_err(|e| format!("cannot run {chromium} (Debian's chromium package prints the PDF): {e}"))?;
        if !status.success() || !out.exists() {
            return Err(format!("{chromium} did not print {}", out.display()));
        }
        Ok(())
    };
    let result = run();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// The PDF of `html`, printed off the async workers.
pub async fn pdf_bytes(html: String) -> ApiResult<Vec<u8>> {
    let printed = tokio::task::spawn_blocking(move || {
        let n = SEQ.fetch_add(1, Ordering::Relaxed);
        let out = std::env::temp_dir().join(format!("landguard-report-{}-{n}.pdf", std::process::id()));
        let result = print_to(&html, &out).and_then(|()| std::fs::read(&out).map_err(|e| e.to_string()));
        let _ = std::fs::remove_file(&out);
        result
    })
    .await
    .map_err(|_| ApiError::internal())?;
    printed.map_err(|e| {
        tracing::error!(error = %e, "cannot print the annual report");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "The PDF cannot be printed",
            "无法生成PDF（服务器上的Chromium不可用），请使用 f=html 或 f=xlsx / the PDF cannot be printed here (Chromium is not available); use f=html or f=xlsx",
        )
    })
}
