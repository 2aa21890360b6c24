//! The training courses' documents: the attendance register (one signature sheet per session:
//! N. · Partecipante · Ente · Firma, the headings repeated on every page) and a participant's
//! certificate of attendance (*attestato di partecipazione*).

use printpdf::{PdfDocument, PdfSaveOptions};

use super::layout::{
    heading, line, paginate, push_kept, rule, span, Ink, Item, BODY_LEAD, BODY_SIZE, BOTTOM, LEFT,
    MM, RIGHT, TABLE_LEAD, TABLE_SIZE, TOP_CONTINUED, WIDTH,
};
use super::text::{self, Face};

/// What an attendance register shows; every field already formatted for a person.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegisterSheet {
    pub centre: String,
    pub course: String,
    /// "Aula LTT · Sala corsi, via Roma 1" and the like; empty lines are left out.
    pub details: Vec<String>,
    /// One per session: "Sessione 1 · lunedì 12/01/2027, 9:00–13:00 (4 ore)".
    pub sessions: Vec<String>,
    /// (name, entity) in sign-up order.
    pub participants: Vec<(String, String)>,
    pub printed_at: String,
}

/// What a certificate of attendance shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertificateSheet {
    pub centre: String,
    pub name: String,
    pub entity: String,
    pub course: String,
    /// "il 12/01/2027" or "dal 12/01/2027 al 19/01/2027".
    pub dates: String,
    /// "4 ore".
    pub hours: String,
    pub place: String,
    /// "Padova, 20/01/2027".
    pub issued: String,
}

const NUM_W: f32 = 10.0 * MM;
const NAME_W: f32 = 55.0 * MM;
const ENTITY_W: f32 = 50.0 * MM;

fn head(items: &mut Vec<Item>, centre: &str, title: &str) {
    for l in text::wrap(&text::sanitize(centre, false), Face::Regular, 10.0, WIDTH) {
        items.push(line(
            13.0,
            vec![span(LEFT, Face::Regular, 10.0, Ink::Grey, l)],
        ));
    }
    items.push(Item::Gap(4.0));
    items.push(line(
        24.0,
        vec![span(LEFT, Face::Bold, 18.0, Ink::Blue, title)],
    ));
}

/// The attendance register as the bytes of a PDF file (any input gives a valid document).
pub fn attendance_register(sheet: &RegisterSheet) -> Vec<u8> {
    let mut items = Vec::new();
    head(&mut items, &sheet.centre, "Registro delle presenze");
    for l in text::wrap(
        &text::sanitize(&sheet.course, false),
        Face::Bold,
        12.0,
        WIDTH,
    ) {
        items.push(line(
            16.0,
            vec![span(LEFT, Face::Bold, 12.0, Ink::Black, l)],
        ));
    }
    for d in sheet.details.iter().filter(|d| !d.trim().is_empty()) {
        for l in text::wrap(&text::sanitize(d, false), Face::Regular, BODY_SIZE, WIDTH) {
            items.push(line(
                BODY_LEAD,
                vec![span(LEFT, Face::Regular, BODY_SIZE, Ink::Black, l)],
            ));
        }
    }
    let x_name = LEFT + NUM_W;
    let x_entity = x_name + NAME_W;
    let x_sign = x_entity + ENTITY_W;
    let headings = vec![
        span(LEFT, Face::Bold, TABLE_SIZE, Ink::Black, "N."),
        span(x_name, Face::Bold, TABLE_SIZE, Ink::Black, "Partecipante"),
        span(x_entity, Face::Bold, TABLE_SIZE, Ink::Black, "Ente"),
        span(x_sign, Face::Bold, TABLE_SIZE, Ink::Black, "Firma"),
    ];
    let sessions: Vec<String> = if sheet.sessions.is_empty() {
        vec![String::new()]
    } else {
        sheet.sessions.clone()
    };
    for s in &sessions {
        items.push(Item::Gap(8.0));
        heading(&mut items, &text::sanitize(s, false), 4.0 * TABLE_LEAD);
        items.push(line(TABLE_LEAD, headings.clone()));
        items.push(rule(false));
        items.push(Item::Repeat(Some(headings.clone())));
        if sheet.participants.is_empty() {
            items.push(line(
                TABLE_LEAD,
                vec![span(
                    LEFT,
                    Face::Regular,
                    TABLE_SIZE,
                    Ink::Grey,
                    "Nessun partecipante ammesso",
                )],
            ));
        }
        for (i, (name, entity)) in sheet.participants.iter().enumerate() {
            let names = text::wrap(
                &text::sanitize(name, false),
                Face::Regular,
                TABLE_SIZE,
                NAME_W - 3.0,
            );
            let entities = text::wrap(
                &text::sanitize(entity, false),
                Face::Regular,
                TABLE_SIZE,
                ENTITY_W - 3.0,
            );
            let n = names.len().max(entities.len()).max(1);
            let mut row = vec![Item::Gap(7.0)];
            for k in 0..n {
                let mut spans = vec![];
                if k == 0 {
                    spans.push(span(
                        LEFT,
                        Face::Regular,
                        TABLE_SIZE,
                        Ink::Black,
                        format!("{}", i + 1),
                    ));
                }
                if let Some(l) = names.get(k) {
                    spans.push(span(
                        x_name,
                        Face::Regular,
                        TABLE_SIZE,
                        Ink::Black,
                        l.clone(),
                    ));
                }
                if let Some(l) = entities.get(k) {
                    spans.push(span(
                        x_entity,
                        Face::Regular,
                        TABLE_SIZE,
                        Ink::Black,
                        l.clone(),
                    ));
                }
                row.push(line(TABLE_LEAD, spans));
            }
            row.push(Item::Rule {
                segments: vec![(LEFT, RIGHT)],
                thickness: 0.3,
                grey: true,
                height: 4.0,
            });
            push_kept(&mut items, row, TOP_CONTINUED - BOTTOM);
        }
        items.push(Item::Repeat(None));
    }
    let printed = text::sanitize(&sheet.printed_at, false);
    let footer = if printed.trim().is_empty() {
        String::new()
    } else {
        format!("Stampato il {}", printed.trim())
    };
    let title = format!(
        "Registro delle presenze · {}",
        text::sanitize(&sheet.course, false)
    );
    let pages = paginate(items, &format!("{title} (segue)"), &footer, None);
    let mut warnings = Vec::new();
    PdfDocument::new(&title)
        .with_pages(pages)
        .save(&PdfSaveOptions::default(), &mut warnings)
}

/// A certificate of attendance as the bytes of a PDF file.
pub fn certificate(sheet: &CertificateSheet) -> Vec<u8> {
    let mut items = Vec::new();
    head(&mut items, &sheet.centre, "Attestato di partecipazione");
    items.push(Item::Gap(30.0));
    let centered = |items: &mut Vec<Item>, t: &str, face: Face, size: f32, lead: f32| {
        for l in text::wrap(&text::sanitize(t, false), face, size, WIDTH) {
            let w = text::width(face, size, &l);
            let x = LEFT + (WIDTH - w).max(0.0) / 2.0;
            items.push(line(lead, vec![span(x, face, size, Ink::Black, l)]));
        }
    };
    centered(&mut items, "Si attesta che", Face::Regular, 12.0, 20.0);
    items.push(Item::Gap(6.0));
    centered(&mut items, &sheet.name, Face::Bold, 20.0, 28.0);
    if !sheet.entity.trim().is_empty() {
        centered(
            &mut items,
            &format!("dell'ente {}", sheet.entity),
            Face::Regular,
            12.0,
            18.0,
        );
    }
    items.push(Item::Gap(10.0));
    centered(
        &mut items,
        "ha partecipato al corso",
        Face::Regular,
        12.0,
        18.0,
    );
    centered(
        &mut items,
        &format!("«{}»", sheet.course),
        Face::Bold,
        14.0,
        20.0,
    );
    items.push(Item::Gap(6.0));
    let mut when = sheet.dates.trim().to_owned();
    if !sheet.hours.trim().is_empty() {
        when = format!("{when}, per un totale di {}", sheet.hours.trim());
    }
    centered(&mut items, &when, Face::Regular, 12.0, 18.0);
    if !sheet.place.trim().is_empty() {
        centered(
            &mut items,
            &format!("presso {}", sheet.place),
            Face::Regular,
            12.0,
            18.0,
        );
    }
    items.push(Item::Gap(50.0));
    let sign_w = 70.0 * MM;
    let mut closing = vec![line(
        BODY_LEAD,
        vec![span(
            LEFT,
            Face::Regular,
            BODY_SIZE,
            Ink::Black,
            text::sanitize(&sheet.issued, false),
        )],
    )];
    closing.push(Item::Gap(30.0));
    closing.push(Item::Rule {
        segments: vec![(RIGHT - sign_w, RIGHT)],
        thickness: 0.6,
        grey: false,
        height: 4.0,
    });
    closing.push(line(
        12.0,
        vec![span(
            RIGHT - sign_w,
            Face::Regular,
            9.0,
            Ink::Grey,
            "Il responsabile della formazione",
        )],
    ));
    push_kept(&mut items, closing, TOP_CONTINUED - BOTTOM);
    let title = format!(
        "Attestato di partecipazione · {}",
        text::sanitize(&sheet.name, false)
    );
    let pages = paginate(items, &format!("{title} (segue)"), "", None);
    let mut warnings = Vec::new();
    PdfDocument::new(&title)
        .with_pages(pages)
        .save(&PdfSaveOptions::default(), &mut warnings)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{all_text, check_envelope, read};
    use super::*;

    #[test]
    fn a_register_has_a_sheet_per_session_and_runs_over_pages() {
        let sheet = RegisterSheet {
            centre: "Centro Servizi Territoriale".into(),
            course: "La firma digitale".into(),
            details: vec!["Academy4PA · Sala corsi".into()],
            sessions: vec![
                "Sessione 1 · lunedì 11/01/2027, 9:00–13:00 (4 ore)".into(),
                "Sessione 2 · lunedì 18/01/2027, 9:00–13:00 (4 ore)".into(),
            ],
            participants: (1..=40)
                .map(|i| (format!("Persona Numero{i}"), "Comune di Forlì".into()))
                .collect(),
            printed_at: "05/12/2026 10:00".into(),
        };
        let bytes = attendance_register(&sheet);
        check_envelope(&bytes);
        let pages = read(&bytes);
        assert!(
            pages.len() >= 3,
            "80 rows with room to sign take several pages"
        );
        let text = all_text(&pages);
        for w in [
            "Registro delle presenze",
            "La firma digitale",
            "Sessione 2 · lunedì 18/01/2027",
            "Persona Numero40",
            "Comune di Forlì",
            "Firma",
        ] {
            assert!(text.contains(w), "{w} missing");
        }
        assert_eq!(
            text.matches("Persona Numero40").count(),
            2,
            "once per session"
        );
    }

    #[test]
    fn a_certificate_names_the_person_the_course_and_the_hours() {
        let bytes = certificate(&CertificateSheet {
            centre: "Centro Servizi Territoriale".into(),
            name: "Maria Rossi".into(),
            entity: "Comune di Padova".into(),
            course: "La PEC".into(),
            dates: "il 11/01/2027".into(),
            hours: "4 ore".into(),
            place: "Sala corsi".into(),
            issued: "Padova, 20/01/2027".into(),
        });
        check_envelope(&bytes);
        let pages = read(&bytes);
        assert_eq!(pages.len(), 1);
        let text = all_text(&pages);
        for w in [
            "Attestato di partecipazione",
            "Maria Rossi",
            "dell'ente Comune di Padova",
            "«La PEC»",
            "il 11/01/2027, per un totale di 4 ore",
            "Il responsabile della formazione",
        ] {
            assert!(text.contains(w), "{w} missing in {text}");
        }
    }
}
