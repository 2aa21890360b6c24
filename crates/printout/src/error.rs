//! What can go wrong making a file.

/// Why a file could not be made. The PDF report cannot fail; a workbook can.
#[derive(Debug, thiserror::Error)]
pub enum PrintoutError {
    /// A sheet has more rows than Excel's 1,048,576 (the header included).
    #[error("il foglio «{sheet}» ha {rows} righe, più di quante Excel ne possa contenere")]
    TooManyRows { sheet: String, rows: usize },
    /// A sheet has more columns than Excel's 16,384.
    #[error("il foglio «{sheet}» ha {columns} colonne, più di quante Excel ne possa contenere")]
    TooManyColumns { sheet: String, columns: usize },
    /// rust_xlsxwriter refused or failed to assemble the file.
    #[error("la cartella di lavoro non può essere scritta")]
    Workbook(#[source] rust_xlsxwriter::XlsxError),
}
