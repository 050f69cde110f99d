//! The device records between the flow and the verification, kept on disk so the fleet's
//! memory does not grow with its size: a million records would be about 200 MB in memory, in
//! an unnamed temporary file they cost a buffer. One JSON line per device, written as devices
//! finish and read back, in that order, by the verification workers.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Seek, SeekFrom, Write};
use std::sync::Mutex;

use anyhow::Context as _;

use crate::flow::DeviceRecord;

/// Where finished devices' records go during the flow (shared by every device task).
pub struct RecordFile {
    out: Mutex<BufWriter<File>>,
}

impl RecordFile {
    /// An empty file in the system's temporary directory, removed when the run ends.
    pub fn new() -> anyhow::Result<Self> {
        let file = tempfile::tempfile()
            .context("creating a temporary file for the device records (is TMPDIR writable?)")?;
        Ok(Self {
            out: Mutex::new(BufWriter::with_capacity(64 * 1024, file)),
        })
    }

    /// Appends one device's record.
    pub fn push(&self, rec: &DeviceRecord) -> anyhow::Result<()> {
        let mut out = self
            .out
            .lock()
            .map_err(|_| anyhow::anyhow!("a device task panicked while writing its record"))?;
        serde_json::to_writer(&mut *out, rec)
            .and_then(|()| out.write_all(b"\n").map_err(serde_json::Error::io))
            .with_context(|| {
                format!(
                    "writing device {}'s record to the temporary file",
                    rec.index
                )
            })
    }

    /// Every record written so far, from the first, for the verification.
    pub fn reader(&self) -> anyhow::Result<RecordReader> {
        let mut out = self
            .out
            .lock()
            .map_err(|_| anyhow::anyhow!("a device task panicked while writing its record"))?;
        out.flush()
            .context("flushing the device records to the temporary file")?;
        let mut file = out
            .get_ref()
            .try_clone()
            .context("reopening the device records' temporary file")?;
        file.seek(SeekFrom::Start(0))
            .context("rewinding the device records' temporary file")?;
        Ok(RecordReader {
            lines: Mutex::new((BufReader::with_capacity(64 * 1024, file), 0)),
        })
    }
}

/// The records read back one at a time, shared by the verification workers.
pub struct RecordReader {
    /// The file and the number of the last line read.
    lines: Mutex<(BufReader<File>, u64)>,
}

impl RecordReader {
    /// The next record, `None` at the end.
    pub fn next_record(&self) -> Option<anyhow::Result<DeviceRecord>> {
        let mut guard = match self.lines.lock() {
            Ok(g) => g,
            Err(_) => return Some(Err(anyhow::anyhow!("a verification worker panicked"))),
        };
        let (reader, line_no) = &mut *guard;
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) => None,
            Ok(_) => {
                *line_no += 1;
                let n = *line_no;
                Some(serde_json::from_str(&line).with_context(|| {
                    format!("the device records' temporary file, line {n}, is not a record")
                }))
            }
            Err(e) => Some(Err(e).context("reading the device records back")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ssap_api::Os;

    #[test]
    fn records_come_back_as_written_in_order() -> anyhow::Result<()> {
        let file = RecordFile::new()?;
        let recs: Vec<DeviceRecord> = (0..1000)
            .map(|i| DeviceRecord {
                index: i,
                os: if i % 2 == 0 { Os::Macos } else { Os::Windows },
                device_id: (i % 3 != 0).then(|| format!("d{i}").into()),
                local_name: Some(format!("user\t{i}\n\"x\"").into()),
                user_id: None,
                managed_accounts: (i % 4) as u8,
                stopped: (i % 5 == 0).then(|| "You're offline.\nTry again".into()),
            })
            .collect();
        for r in &recs {
            file.push(r)?;
        }
        let reader = file.reader()?;
        let mut back = Vec::new();
        while let Some(r) = reader.next_record() {
            back.push(r?);
        }
        assert_eq!(back, recs);
        Ok(())
    }
}
