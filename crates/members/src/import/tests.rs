use super::*;

#[test]
fn our_format_with_italian_headers_and_semicolons() {
    let f = "nome;codice_istat;popolazione;data_popolazione\n\
             Comune di Agna;028002;3200;2023-01-01\n\
             \n\
             Comune di Arre;028006;2100;2023-01-01\n";
    let rows = parse_cst(f.as_bytes()).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].line, 4);
    assert_eq!(rows[0].set[0], ("name".into(), "Comune di Agna".into()));
}

#[test]
fn wrong_values_are_reported_with_their_line_before_storing() {
    let e = parse_cst(b"name,istat_code,population\nA,028002,\nB,abc,\nC,028009,12\n").unwrap_err();
    let lines: Vec<usize> = e.iter().map(|r| r.line).collect();
    assert_eq!(lines, [3, 4]);
    assert!(e[0].to_string().contains("codice ISTAT"), "{}", e[0]);
    // A column the file lacks is named the Italian way.
    assert!(e[1].to_string().contains("data_popolazione"), "{}", e[1]);
    // A column the file has is named as the file names it.
    let e = parse_cst("Denominazione;Codice ISTAT;Postazioni\nA;028002;dodici\n".as_bytes())
        .unwrap_err();
    assert!(
        e[0].to_string().starts_with("riga 2: Postazioni – "),
        "{}",
        e[0]
    );
}

#[test]
fn unknown_column_and_duplicates_are_refused() {
    let e = parse_cst(b"name,colour\nx,red\n").unwrap_err();
    assert!(e[0].to_string().contains("colour"), "{}", e[0]);
    let e = parse_cst(b"name,istat_code\na,028002\nb,028002\n").unwrap_err();
    assert_eq!(e[0].line, 3);
    assert!(e[0].to_string().contains("riga 2"));
    let e = parse_cst(b"name,istat_code\na,028002,extra\n").unwrap_err();
    assert_eq!(e[0].line, 2);
    assert!(parse_cst(b"name\n").is_err());
    assert!(parse_cst(b"").is_err());
}

#[test]
fn shipped_istat_file_for_padova_joins_population() {
    let comuni = include_bytes!("../../../../data/reference/comuni_istat.csv");
    let pop = include_bytes!("../../../../data/reference/popolazione_2023.csv");
    let rows = parse_istat(comuni, Some(pop), Some("pd")).unwrap();
    assert_eq!(rows.len(), 101, "comuni of the Provincia di Padova");
    let padova = rows
        .iter()
        .find(|r| r.set.contains(&("istat_code".into(), "028060".into())))
        .unwrap();
    assert!(padova
        .set
        .contains(&("cadastral_code".into(), "G224".into())));
    assert!(padova.set.contains(&("population".into(), "206496".into())));
    assert_eq!(padova.set_on_create[0].1, "Comune di Padova");
    let all = parse_istat(comuni, None, None).unwrap();
    assert!(all.len() > 7800, "{}", all.len());
    let arqua = all
        .iter()
        .find(|r| r.set.contains(&("istat_code".into(), "028005".into())))
        .unwrap();
    assert!(
        arqua
            .set
            .contains(&("city".into(), "Arquà Petrarca".into())),
        "Latin-1 decoded"
    );
}

#[test]
fn istat_format_problems_are_named() {
    let e = parse_istat(b"a;b\n1;2\n", None, None).unwrap_err();
    assert!(e[0]
        .to_string()
        .contains("non sembra l'elenco comuni ISTAT"));
    let e =
        parse_population(b"codice_istat;popolazione;data_riferimento\n028060;molti;2023-01-01\n")
            .unwrap_err();
    assert_eq!(e[0].line, 2);
}
