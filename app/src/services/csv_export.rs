//! CSV exports (the audit log, the seal list): read and sent a chunk of rows at a time, so that an export is as
//! long as what its filter matches, never cut off, and never held in memory whole.

use super::AppState;
use crate::error::{AppError, AppResult};
use std::future::Future;

/// Rows read from the database for one chunk of an export.
pub const CHUNK_ROWS: usize = 1000;

/// An export whose filter was checked when it was made: asking for its chunks in order, from 0, gives the whole
/// CSV document (the header line starts chunk 0).
pub trait CsvExport: Clone + Send + Sync + 'static {
    /// The `n`-th chunk; `None` after the last.
    fn chunk(&self, state: &AppState, n: usize) -> impl Future<Output = AppResult<Option<String>>> + Send;
}

/// The whole document at once, for tests.
#[cfg(test)]
pub async fn collect(state: &AppState, export: &impl CsvExport) -> AppResult<String> {
    let mut all = String::new();
    for n in 0.. {
        match export.chunk(state, n).await? {
            Some(chunk) => all.push_str(&chunk),
            None => break,
        }
    }
    Ok(all)
}

/// CSV lines for `rows`, after `header` when there is one; every cell is neutralised against spreadsheet
/// formulas.
pub fn lines(header: Option<&[&str]>, rows: impl Iterator<Item = Vec<String>>) -> AppResult<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let internal = |e: csv::Error| {
        tracing::error!(error = %e, "csv export");
        AppError::Internal
    };
    if let Some(header) = header {
        w.write_record(header).map_err(internal)?;
    }
    for row in rows {
        w.write_record(row.iter().map(|cell| neutralise(cell))).map_err(internal)?;
    }
    let bytes = w.into_inner().map_err(|e| internal(e.into_error().into()))?;
    String::from_utf8(bytes).map_err(|_| AppError::Internal)
}

/// Spreadsheets run cells that start with = + - @ as formulas; a leading apostrophe keeps them text.
fn neutralise(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    }
}
