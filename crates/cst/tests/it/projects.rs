//! Custom work (issue 11): a project with a quote in versions, approved or refused by the
//! entity's contact (who, when, which version), work recorded only once approved, and a work
//! report printed as a PDF kept in the file store.

use reqwest::Method;
use serde_json::json;
use testkit::{backends, spawn_app, Backend};

use super::delivery::setup;

backends!(
    a_project_quote_is_approved_by_the_contact_on_its_current_version,
    a_work_report_prints_as_a_pdf_kept_until_acknowledged,
);

async fn a_project_quote_is_approved_by_the_contact_on_its_current_version(b: Backend) {
    let app = spawn_app(b).await;
    let (staff, contact, id) = setup(&app).await;
    let (smtp, run) = super::delivery::mail_out(&app).await;
    super::delivery::primary_contact(&staff, id, "protocollo@mezzo.example.it").await;
    let project = json!({"entity_id": id, "title": "Nuovo sito della biblioteca",
                         "description": "Analisi, grafica e messa in linea"});
    let (s, _) = contact
        .send_json(Method::POST, "/api/v1/projects", project.clone())
        .await;
    assert_eq!(s, 403, "projects are described by the centre");
    let (s, p) = staff
        .send_json(Method::POST, "/api/v1/projects", project)
        .await;
    assert_eq!(s, 201, "{p}");
    assert_eq!(p["state"], "draft");
    let pid = p["id"].as_i64().unwrap();
    let path = |what: &str| format!("/api/v1/projects/{pid}/{what}");
    // Work does not start before the quote is approved.
    let work = json!({"entity_id": id, "project_id": pid, "date": "2026-11-20", "minutes": 120,
                      "mode": "remote", "description": "Analisi dei contenuti"});
    let (s, e) = staff
        .send_json(Method::POST, "/api/v1/work-reports", work.clone())
        .await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["errors"][0]["field"], "project_id");
    // Wrong quotes are refused line by line.
    for (lines, field) in [
        (json!([]), "lines"),
        (
            json!([{"text": "Analisi", "days": "2,555", "rate": "393.00"}]),
            "lines[0].days",
        ),
        (
            json!([{"text": "Analisi", "amount": "mille"}]),
            "lines[0].amount",
        ),
        (
            json!([{"text": "Analisi", "days": "2", "rate": "393.00", "amount": "10.00"}]),
            "lines[0].amount",
        ),
        (json!([{"text": "", "amount": "10.00"}]), "lines[0].text"),
    ] {
        let (s, e) = staff
            .send_json(
                Method::POST,
                &path("quotes"),
                json!({"lines": lines, "valid_until": "2026-12-31"}),
            )
            .await;
        assert_eq!(s, 422, "{lines}: {e}");
        assert_eq!(e["errors"][0]["field"], field, "{e}");
    }
    // Version 1: 2,5 days at the advanced Global Service rate and the licences.
    let (s, p) = staff
        .send_json(
            Method::POST,
            &path("quotes"),
            json!({"lines": [{"text": "Analisi e sviluppo", "days": "2.5", "rate": "393.00"},
                             {"text": "Licenze", "amount": "150.00"}],
                   "valid_until": "2026-12-31"}),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["state"], "proposed");
    assert_eq!(p["quotes"][0]["total"], "1132.50");
    assert_eq!(p["quotes"][0]["lines"][0]["amount"], "982.50");
    // Version 2 replaces it; deciding on version 1 is refused: it changed.
    let (_, p) = staff
        .send_json(
            Method::POST,
            &path("quotes"),
            json!({"lines": [{"text": "Analisi e sviluppo", "days": "2", "rate": "393.00"}],
                   "valid_until": "2026-12-31"}),
        )
        .await;
    assert_eq!(p["quote_version"], 2);
    assert_eq!(
        p["quotes"].as_array().unwrap().len(),
        2,
        "versions are kept"
    );
    let (s, e) = contact
        .send_json(Method::POST, &path("approve"), json!({"version": 1}))
        .await;
    assert_eq!(s, 409, "{e}");
    // Staff do not decide for the entity; refusing needs a reason.
    let (s, _) = staff
        .send_json(Method::POST, &path("approve"), json!({"version": 2}))
        .await;
    assert_eq!(s, 422);
    let (s, e) = contact
        .send_json(Method::POST, &path("refuse"), json!({"version": 2}))
        .await;
    assert_eq!(s, 422, "{e}");
    // Past its validity it cannot be approved.
    app.clock.set("2027-01-02T09:00:00Z".parse().unwrap());
    let (s, e) = contact
        .send_json(Method::POST, &path("approve"), json!({"version": 2}))
        .await;
    assert_eq!(s, 409, "{e}");
    assert!(
        e["detail"]
            .as_str()
            .unwrap()
            .contains("valeva fino al 31/12/2026"),
        "{e}"
    );
    app.clock.set("2026-11-26T09:00:00Z".parse().unwrap());
    let (s, p) = contact
        .send_json(Method::POST, &path("approve"), json!({"version": 2}))
        .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["state"], "approved");
    assert_eq!(p["decided_version"], 2);
    assert!(
        p["decided_by"].as_str().unwrap().contains("referente"),
        "{p}"
    );
    assert!(!p["decided_at"].as_str().unwrap().is_empty(), "{p}");
    // Approved: no more versions, and work may be recorded on it.
    let (s, _) = staff
        .send_json(
            Method::POST,
            &path("quotes"),
            json!({"lines": [{"text": "Altro", "amount": "1.00"}], "valid_until": "2026-12-31"}),
        )
        .await;
    assert_eq!(s, 409);
    // Times that disagree with the minutes, and travel on remote work, are refused.
    let mut wrong = work.clone();
    wrong["start"] = json!("09:00");
    wrong["end"] = json!("10:00");
    let (s, e) = staff
        .send_json(Method::POST, "/api/v1/work-reports", wrong.clone())
        .await;
    assert_eq!(s, 422, "{e}");
    assert!(
        e["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("non corrisponde"),
        "{e}"
    );
    wrong["minutes"] = json!(0);
    wrong["travel_minutes"] = json!(30);
    let (s, e) = staff
        .send_json(Method::POST, "/api/v1/work-reports", wrong)
        .await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["errors"][0]["field"], "travel_minutes", "{e}");
    let (s, r) = staff
        .send_json(Method::POST, "/api/v1/work-reports", work)
        .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["project_id"], pid);
    // On site from 14:00 to 15:30 with 40 minutes of travel: 90 minutes of work.
    let (s, r) = staff
        .send_json(
            Method::POST,
            "/api/v1/work-reports",
            json!({"entity_id": id, "project_id": pid, "date": "2026-11-21", "start": "14:00",
                   "end": "15:30", "travel_minutes": 40, "mode": "onsite",
                   "description": "Incontro con la biblioteca"}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["minutes"], 90);
    // Another entity's contact does not see it.
    let (_, elsewhere) = staff
        .send_json(
            Method::POST,
            "/api/v1/entities",
            json!({"name": "Comune di Altrove"}),
        )
        .await;
    let other = app
        .user("altro", "contact", &[elsewhere["id"].as_i64().unwrap()])
        .await;
    let (s, _) = app
        .api(&other)
        .await
        .get(&format!("/api/v1/projects/{pid}"))
        .await;
    assert_eq!(s, 404);
    // The entity is told of each version; staff of the decision (no staff address here).
    assert_eq!(run.run_due().await.unwrap(), 2);
    let got = smtp.wait_messages(2).await;
    let mut subjects: Vec<String> = got
        .iter()
        .map(|m| mail::parse(m).unwrap().subject)
        .collect();
    subjects.sort();
    assert_eq!(
        subjects,
        [
            format!("[Progetto {pid}] Nuovo sito della biblioteca: preventivo da approvare (versione 1)"),
            format!("[Progetto {pid}] Nuovo sito della biblioteca: preventivo da approvare (versione 2)"),
        ]
    );
    // Every step is in the register.
    let (_, audit) = staff
        .get(&format!("/api/v1/audit?entity_id={id}&object_type=project"))
        .await;
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    for a in ["create", "propose", "approve"] {
        assert!(actions.contains(&a), "{a} in {audit}");
    }

    // By page: the contact approves after a confirmation naming the amount.
    let (_, p2) = staff
        .send_json(
            Method::POST,
            "/api/v1/projects",
            json!({"entity_id": id, "title": "Migrazione della posta"}),
        )
        .await;
    let p2 = p2["id"].as_i64().unwrap();
    let admin = app.browser("capo").await;
    let (_, page) = admin
        .post_follow(
            &format!("/projects/{p2}/preventivo"),
            &[
                ("testo0", "Migrazione"),
                ("giornate0", "1,5"),
                ("tariffa0", "288,00"),
                ("validita", "2026-12-31"),
            ],
        )
        .await;
    assert!(
        page.contains("Preventivo inviato all&#39;ente: versione 1, € 432,00."),
        "{page}"
    );
    let referente = app.browser("referente").await;
    let (_, page) = referente.get(&format!("/projects/{p2}")).await;
    assert!(page.contains("id=\"project-approve\""), "{page}");
    let (s, ask) = referente
        .post(&format!("/projects/{p2}/approva"), &[("versione", "1")])
        .await;
    assert_eq!(s, 200);
    assert!(
        ask.contains("Approvare il preventivo di € 432,00?"),
        "{ask}"
    );
    let (_, page) = referente
        .post_follow(
            &format!("/projects/{p2}/approva"),
            &[("versione", "1"), ("confermato", "1")],
        )
        .await;
    assert!(page.contains("Preventivo approvato"), "{page}");
    let (_, v) = contact.get(&format!("/api/v1/projects/{p2}")).await;
    assert_eq!(v["state"], "approved");
    // Staff record the work on the project's page; a wrong duration keeps what was typed.
    let (_, page) = admin
        .post_follow(
            &format!("/work-reports/progetto/{p2}"),
            &[
                ("ore", "tre"),
                ("modo", "remote"),
                ("descrizione", "Migrazione delle caselle"),
            ],
        )
        .await;
    assert!(
        page.contains("Ore, minuti e trasferta: numeri interi."),
        "{page}"
    );
    assert!(page.contains("Migrazione delle caselle"), "{page}");
    let (_, page) = admin
        .post_follow(
            &format!("/work-reports/progetto/{p2}"),
            &[
                ("data", "2026-11-25"),
                ("dalle", "09:00"),
                ("alle", "12:00"),
                ("modo", "remote"),
                ("descrizione", "Migrazione delle caselle"),
            ],
        )
        .await;
    assert!(page.contains("Intervento registrato."), "{page}");
    assert!(
        page.contains("3 h 00 min (dalle 09:00 alle 12:00) da remoto"),
        "{page}"
    );
    assert!(page.contains("da remoto oltre 30 minuti"), "{page}");
}

async fn a_work_report_prints_as_a_pdf_kept_until_acknowledged(b: Backend) {
    let app = spawn_app(b).await;
    let (staff, contact, id) = setup(&app).await;
    let (_, p) = staff
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{id}/packages"),
            json!({"service": "PD14", "year": 2026}),
        )
        .await;
    let (s, r) = staff
        .send_json(
            Method::POST,
            "/api/v1/work-reports",
            json!({"entity_id": id, "package_id": p["id"], "date": "2026-11-20", "minutes": 200,
                   "mode": "onsite", "description": "Sostituzione del disco del server; verifica dei backup"}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let rid = r["id"].as_i64().unwrap();
    let (s, kind, first) = pdf(&contact, rid).await;
    assert_eq!((s, kind.as_str()), (200, "application/pdf"));
    assert!(first.starts_with(b"%PDF-"));
    let kept: Option<String> =
        sqlx::query_scalar("SELECT pdf_sha256 FROM work_reports WHERE id = $1")
            .bind(rid)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert!(kept.is_some(), "kept in the file store");
    let (_, _, again) = pdf(&staff, rid).await;
    assert_eq!(again, first, "served from the file store, byte for byte");
    // Acknowledged: printed again (the printout says who and when).
    let account = accounts::store::by_username(&app.db, "referente")
        .await
        .unwrap();
    delivery::store::work::acknowledge(&app.db, &account.actor(), rid)
        .await
        .unwrap();
    let (_, _, after) = pdf(&contact, rid).await;
    assert_ne!(after, first);
    assert!(after.starts_with(b"%PDF-"));
    // Out of scope: not found.
    let (_, elsewhere) = staff
        .send_json(
            Method::POST,
            "/api/v1/entities",
            json!({"name": "Comune di Altrove"}),
        )
        .await;
    let other = app
        .user("altro", "contact", &[elsewhere["id"].as_i64().unwrap()])
        .await;
    let (s, _, _) = pdf(&app.api(&other).await, rid).await;
    assert_eq!(s, 404);
    // From the package's page.
    let br = app.browser("referente").await;
    let (_, page) = br.get(&format!("/packages/{}", p["id"])).await;
    assert!(page.contains(&format!("/work-reports/{rid}/pdf")), "{page}");
}

/// A report's PDF as the API gives it: (status, content type, bytes).
async fn pdf(who: &testkit::Api, rid: i64) -> (u16, String, Vec<u8>) {
    let r = who
        .request(Method::GET, &format!("/api/v1/work-reports/{rid}/pdf"))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let kind = r
        .headers()
        .get("content-type")
        .map(|h| h.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, kind, r.bytes().await.unwrap().to_vec())
}
