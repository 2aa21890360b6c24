//! Italian reference data shipped inside the binary (sources and licences in
//! `data/reference/README.md`).

/// ISTAT's "Elenco dei comuni italiani" as published (`;`, Latin-1).
pub const COMUNI_ISTAT: &[u8] = include_bytes!("../../../data/reference/comuni_istat.csv");

/// Resident population by comune at 1 January 2023 (Openpolis/ISTAT, CC BY 4.0).
pub const POPULATION_2023: &[u8] = include_bytes!("../../../data/reference/popolazione_2023.csv");
