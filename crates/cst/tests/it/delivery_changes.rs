//! Delivery after delivery (issue 11): an active service's quantity changes and deactivation,
//! dated and audited, and a package's warnings (80%, 100%, the on-site minimum) sent once.

use reqwest::Method;
use serde_json::{json, Value};
use testkit::{backends, spawn_app, Api, Backend};

use super::delivery::{request, setup};

backends!(
    a_service_changes_quantity_and_stops_on_dated_days,
    a_package_warns_once_at_80_and_100_percent_and_for_the_on_site_minimum,
);

/// Delivers PD09 × 3 on 1 December 2026 and gives the active service.
pub(crate) async fn delivered(staff: &Api, contact: &Api, id: i64) -> Value {
    let (_, r) = contact
        .send_json(Method::POST, "/api/v1/activation-requests", request(id, 3))
        .await;
    let rid = r["id"].as_i64().unwrap();
    let path = |what: &str| format!("/api/v1/activation-requests/{rid}/{what}");
    staff
        .send_json(Method::POST, &path("approve"), json!({}))
        .await;
    let (s, r) = staff
        .send_json(
            Method::POST,
            &path("deliver"),
            json!({"activation_date": "2026-12-01"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    r["active_service"].clone()
}

async fn a_service_changes_quantity_and_stops_on_dated_days(b: Backend) {
    let app = spawn_app(b).await;
    let (staff, contact, id) = setup(&app).await;
    let a = delivered(&staff, &contact, id).await;
    let sid = a["id"].as_i64().unwrap();
    assert_eq!(a["from_date"], "2026-12-01");
    let path = |what: &str| format!("/api/v1/active-services/{sid}/{what}");

    // Wrong changes are refused and change nothing.
    for (body, field) in [
        (json!({"quantity": 0, "date": "2027-01-01"}), "quantity"),
        (json!({"quantity": 3, "date": "2027-01-01"}), "quantity"),
        (json!({"quantity": 5, "date": "2026-11-30"}), "date"),
    ] {
        let (s, e) = staff.send_json(Method::POST, &path("quantity"), body).await;
        assert_eq!(s, 422, "{e}");
        assert_eq!(e["errors"][0]["field"], field, "{e}");
    }
    let (s, _) = contact
        .send_json(
            Method::POST,
            &path("quantity"),
            json!({"quantity": 5, "date": "2027-01-01"}),
        )
        .await;
    assert_eq!(s, 403, "a contact does not change services");
    let (s, e) = staff
        .send_json(
            Method::POST,
            &path("quantity"),
            json!({"quantity": 5, "date": "2027-01-01", "version": 99}),
        )
        .await;
    assert_eq!(s, 409, "{e}");

    // From 1 January 2027, 5 users: the period of 3 ends on 31 December, same activation.
    let (s, n) = staff
        .send_json(
            Method::POST,
            &path("quantity"),
            json!({"quantity": 5, "date": "2027-01-01", "version": a["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{n}");
    assert_eq!(n["quantity"], 5);
    assert_eq!(n["from_date"], "2027-01-01");
    assert_eq!(n["activation_date"], "2026-12-01");
    assert_eq!(n["previous_id"], sid);
    let on = |day: &'static str| {
        let contact = &contact;
        async move {
            let (s, v) = contact
                .get(&format!("/api/v1/entities/{id}/services?on={day}"))
                .await;
            assert_eq!(s, 200, "{v}");
            v["items"].as_array().unwrap().clone()
        }
    };
    let dec = on("2026-12-31").await;
    assert_eq!((dec.len(), dec[0]["quantity"].as_i64()), (1, Some(3)));
    assert_eq!(dec[0]["end_date"], "2026-12-31");
    let jan = on("2027-01-01").await;
    assert_eq!((jan.len(), jan[0]["quantity"].as_i64()), (1, Some(5)));
    // The closed period is no longer changed.
    let (s, e) = staff
        .send_json(
            Method::POST,
            &path("deactivate"),
            json!({"end_date": "2026-12-31"}),
        )
        .await;
    assert_eq!(s, 422, "{e}");

    // Stopped after 30 June 2027: not there on 1 July; a last day before the period is refused.
    let nid = n["id"].as_i64().unwrap();
    let stop = format!("/api/v1/active-services/{nid}/deactivate");
    let (s, e) = staff
        .send_json(Method::POST, &stop, json!({"end_date": "2026-12-31"}))
        .await;
    assert_eq!(s, 422, "{e}");
    let (s, d) = staff
        .send_json(Method::POST, &stop, json!({"end_date": "2027-06-30"}))
        .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["end_date"], "2027-06-30");
    assert_eq!(on("2027-06-30").await.len(), 1);
    assert!(on("2027-07-01").await.is_empty());

    // Every change is in the register under the entity.
    let (_, audit) = staff
        .get(&format!(
            "/api/v1/audit?entity_id={id}&object_type=active_service"
        ))
        .await;
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    for a in ["create", "update", "deactivate"] {
        assert!(actions.contains(&a), "{a} in {audit}");
    }

    // From the entity's page: a quantity change, and a deactivation that asks first.
    let other = delivered(&staff, &contact, id).await;
    let oid = other["id"].as_i64().unwrap();
    let admin = app.browser("capo").await;
    let page = admin.get(&format!("/entities/{id}")).await.1;
    assert!(page.contains("Cambia quantità o disattiva"), "{page}");
    let (_, page) = admin
        .post_follow(
            &format!("/active-services/{oid}/quantita"),
            &[("quantita", "dieci"), ("dal", "2027-01-01")],
        )
        .await;
    assert!(page.contains("La quantità è un numero intero"), "{page}");
    let (_, page) = admin
        .post_follow(
            &format!("/active-services/{oid}/quantita"),
            &[("quantita", "4"), ("dal", "2027-01-01")],
        )
        .await;
    assert!(page.contains("PD09: quantità 4 dal 01/01/2027."), "{page}");
    assert!(page.contains("questa quantità dal 01/01/2027"), "{page}");
    let (_, now) = contact
        .get(&format!("/api/v1/entities/{id}/services?on=2027-01-01"))
        .await;
    let four = now["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["quantity"] == 4)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (s, ask) = admin
        .post(
            &format!("/active-services/{four}/disattiva"),
            &[("ultimo_giorno", "2027-03-31")],
        )
        .await;
    assert_eq!(s, 200);
    assert!(
        ask.contains("Disattivare PD09 (postazione) dal 01/04/2027?"),
        "{ask}"
    );
    assert!(
        on("2027-04-01").await.iter().any(|a| a["id"] == four),
        "asked, not done"
    );
    let (_, page) = admin
        .post_follow(
            &format!("/active-services/{four}/disattiva"),
            &[("ultimo_giorno", "2027-03-31"), ("confermato", "1")],
        )
        .await;
    assert!(
        page.contains("PD09 disattivato: l&#39;ultimo giorno è il 31/03/2027."),
        "{page}"
    );
    assert!(!on("2027-04-01").await.iter().any(|a| a["id"] == four));
    assert!(on("2027-03-31").await.iter().any(|a| a["id"] == four));
}

async fn a_package_warns_once_at_80_and_100_percent_and_for_the_on_site_minimum(b: Backend) {
    let app = spawn_app(b).await;
    let (staff, _, id) = setup(&app).await;
    let (smtp, run) = super::delivery::mail_out(&app).await;
    super::delivery::primary_contact(&staff, id, "protocollo@mezzo.example.it").await;
    // PD14's 5 days, 80% of them on site at least (Padova's rule).
    let (s, e) = staff
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{id}/packages"),
            json!({"service": "PD14", "year": 2026, "min_onsite_share": "1.5"}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    let (s, p) = staff
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{id}/packages"),
            json!({"service": "PD14", "year": 2026, "min_onsite_share": "0.8"}),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    assert_eq!(p["min_onsite_share"], "0.800");
    assert_eq!(p["onsite_reachable"], true);
    let pid = p["id"].as_i64().unwrap();
    let work = |minutes: u32, mode: &str| {
        json!({"entity_id": id, "package_id": pid, "date": "2026-11-20", "minutes": minutes,
               "mode": mode, "description": "Manutenzione dei server"})
    };
    // 3 days on site: 60%, nothing to say.
    let (s, r) = staff
        .send_json(
            Method::POST,
            "/api/v1/work-reports",
            work(3 * 360, "onsite"),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(run.run_due().await.unwrap(), 0);
    // A remote day and a minute: 80% passed, and 80% on site is out of reach.
    staff
        .send_json(Method::POST, "/api/v1/work-reports", work(481, "remote"))
        .await;
    let (_, p) = staff.get(&format!("/api/v1/packages/{pid}")).await;
    assert_eq!(p["onsite_reachable"], false, "{p}");
    assert_eq!(p["warnings"], json!([80]));
    assert_eq!(
        run.run_due().await.unwrap(),
        2,
        "80% and the on-site minimum"
    );
    // More work under 100%: nothing new; then past 100%: one more.
    staff
        .send_json(Method::POST, "/api/v1/work-reports", work(30, "onsite"))
        .await;
    assert_eq!(run.run_due().await.unwrap(), 0, "each warning once");
    staff
        .send_json(Method::POST, "/api/v1/work-reports", work(360, "onsite"))
        .await;
    assert_eq!(run.run_due().await.unwrap(), 1, "100%");
    let got = smtp.wait_messages(3).await;
    let mut subjects: Vec<String> = got
        .iter()
        .map(|raw| {
            let text = String::from_utf8_lossy(raw).into_owned();
            assert!(
                text.contains("protocollo@mezzo.example.it"),
                "the contact is told"
            );
            mail::parse(raw).unwrap().subject
        })
        .collect();
    subjects.sort();
    assert_eq!(
        subjects,
        [
            format!("[Pacchetto {pid}] PD14 2026: esaurito"),
            format!("[Pacchetto {pid}] PD14 2026: quota in presenza non più raggiungibile"),
            format!("[Pacchetto {pid}] PD14 2026: usato oltre l'80%"),
        ]
    );
    let body = mail::parse(&got[0]).unwrap().text;
    assert!(body.contains("Acquistate: 5,00 giornate"), "{body}");
}
