//! An entity's address books and send lists (issue 15): shared by the entity's users,
//! invisible to every other entity; entries checked; CSV and vCard imported all or nothing
//! (every wrong line named), duplicates found and left out; exports that import back the same.

use reqwest::Method;
use serde_json::{json, Value};
use testkit::{backends, spawn_app, Api, Backend};

backends!(
    address_books_belong_to_the_entity_and_import_all_or_nothing,
    send_lists_take_people_from_the_book_or_typed_in,
);

async fn setup(app: &testkit::TestApp) -> (Api, Api, Api, i64, i64) {
    let staff = app.api(&app.user("capo", "admin", &[]).await).await;
    let mut ids = vec![];
    for n in ["Comune di Teolo", "Comune di Vò"] {
        let (s, e) = staff
            .send_json(Method::POST, "/api/v1/entities", json!({"name": n}))
            .await;
        assert_eq!(s, 201, "{e}");
        ids.push(e["id"].as_i64().unwrap());
    }
    let ca = app
        .api(&app.user("ref-a", "contact", &[ids[0]]).await)
        .await;
    let cb = app
        .api(&app.user("ref-b", "contact", &[ids[1]]).await)
        .await;
    (staff, ca, cb, ids[0], ids[1])
}

async fn count(api: &Api, book: i64) -> usize {
    let (s, d) = api.get(&format!("/api/v1/address-books/{book}")).await;
    assert_eq!(s, 200, "{d}");
    d["items"].as_array().unwrap().len()
}

async fn import(api: &Api, book: i64, query: &str, ctype: &str, body: &str) -> (u16, Value) {
    let r = api
        .request(
            Method::POST,
            &format!("/api/v1/address-books/{book}/import{query}"),
        )
        .header("content-type", ctype)
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn address_books_belong_to_the_entity_and_import_all_or_nothing(b: Backend) {
    let app = spawn_app(b).await;
    let (_staff, ca, cb, a, bb) = setup(&app).await;
    let supplier = app.api(&app.user("ditta", "supplier", &[a]).await).await;

    let (s, book) = ca
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{a}/address-books"),
            json!({"name": "Fornitori"}),
        )
        .await;
    assert_eq!(s, 201, "{book}");
    let id = book["id"].as_i64().unwrap();
    let (s, r) = ca
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{a}/address-books"),
            json!({"name": "Fornitori"}),
        )
        .await;
    assert_eq!((s, r["code"].as_str()), (409, Some("name_taken")), "{r}");
    let (s, r) = ca
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{a}/address-books"),
            json!({"name": " "}),
        )
        .await;
    assert_eq!(s, 422, "{r}");
    // Another entity's contact and the supplier find nothing.
    for api in [&cb, &supplier] {
        let (s, _) = api.get(&format!("/api/v1/address-books/{id}")).await;
        assert_eq!(s, 404);
        let (s, _) = api
            .get(&format!("/api/v1/entities/{a}/address-books"))
            .await;
        assert_eq!(s, 404);
    }
    let (s, _) = cb
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{a}/address-books"),
            json!({"name": "X"}),
        )
        .await;
    assert_eq!(s, 404);

    // Entries: checked, the same person twice refused.
    let (s, e) = ca
        .send_json(
            Method::POST,
            &format!("/api/v1/address-books/{id}/entries"),
            json!({"name": "Mario Bianchi", "organisation": "Reti Srl", "mobile": "+39 347 1234567", "email": "mario@reti.example.it"}),
        )
        .await;
    assert_eq!(s, 201, "{e}");
    let (s, r) = ca
        .send_json(
            Method::POST,
            &format!("/api/v1/address-books/{id}/entries"),
            json!({"name": "Altro", "mobile": "347-123.4567"}),
        )
        .await;
    assert_eq!((s, r["code"].as_str()), (409, Some("name_taken")), "{r}");
    let (s, r) = ca
        .send_json(
            Method::POST,
            &format!("/api/v1/address-books/{id}/entries"),
            json!({"mobile": "abc", "email": "x@"}),
        )
        .await;
    assert_eq!(s, 422, "{r}");
    let fields: Vec<&str> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "mobile", "email"]);
    let (s, r) = cb
        .get(&format!("/api/v1/address-entries/{}", e["id"]))
        .await;
    assert_eq!(s, 404, "{r}");

    // A file with a wrong line: refused whole, each wrong line named, nothing stored.
    let bad = "Nome;Organizzazione;Cellulare;Email\n\
               Anna Verdi;Comune di Teolo;333 1112222;anna@teolo.example.it\n\
               Bruno;;12;bruno@\n\
               Carla Neri;;;carla@\n";
    let (s, r) = import(&ca, id, "", "text/csv", bad).await;
    assert_eq!(
        (s, r["code"].as_str()),
        (422, Some("import_refused")),
        "{r}"
    );
    let lines: Vec<(i64, &str)> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_i64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(lines, [(3, "cellulare"), (3, "email"), (4, "email")]);
    assert_eq!(count(&ca, id).await, 1);
    let (s, r) = import(&ca, id, "", "text/csv", "nome;colore\nAnna;blu\n").await;
    assert_eq!(s, 422, "{r}");
    assert!(r["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("colore"));

    // Duplicates (of the book, and within the file) are found and left out; a dry run stores
    // nothing.
    let good = "nome,cellulare,email\n\
                Anna Verdi,333 1112222,anna@teolo.example.it\n\
                Mario B.,,MARIO@reti.example.it\n\
                Anna di nuovo,+39 333 111 2222,\n\
                Dario Gialli,340 9998877,\n";
    let (s, r) = import(&ca, id, "?dry_run=true", "text/csv", good).await;
    assert_eq!(
        (s, r["added"].as_i64(), r["dry_run"].as_bool()),
        (200, Some(2), Some(true)),
        "{r}"
    );
    assert_eq!(count(&ca, id).await, 1);
    let (s, r) = import(&ca, id, "", "text/csv", good).await;
    assert_eq!((s, r["added"].as_i64()), (200, Some(2)), "{r}");
    let dups: Vec<(i64, &str)> = r["duplicates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["line"].as_i64().unwrap(), d["matches"].as_str().unwrap()))
        .collect();
    assert_eq!(dups, [(3, "Mario Bianchi"), (4, "riga 2")]);
    assert_eq!(count(&ca, id).await, 3);

    // vCard, as a phone exports it.
    let vcf = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Elisa Rosa\r\nTEL;TYPE=CELL:+39 349 5556667\r\nEMAIL:elisa@example.org\r\nEND:VCARD\r\n\
               BEGIN:VCARD\r\nVERSION:2.1\r\nN:Moro;Franco\r\nTEL;CELL:3471230000\r\nEND:VCARD\r\n";
    let (s, r) = import(&ca, id, "", "text/vcard", vcf).await;
    assert_eq!((s, r["added"].as_i64()), (200, Some(2)), "{r}");
    let (s, r) = import(
        &ca,
        id,
        "?format=vcard",
        "text/plain",
        "BEGIN:VCARD\nFN:Aperto\n",
    )
    .await;
    assert_eq!(s, 422, "{r}");
    let (s, r) = import(&ca, id, "?format=xls", "text/csv", "x").await;
    assert_eq!(s, 422, "{r}");

    // Exports: CSV and vCard that import back the same.
    for (fmt, ctype) in [("csv", "text/csv"), ("vcard", "text/vcard")] {
        let r = ca
            .request(
                Method::GET,
                &format!("/api/v1/address-books/{id}/export?format={fmt}"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with(ctype));
        let body = r.text().await.unwrap();
        let (_, copy) = ca
            .send_json(
                Method::POST,
                &format!("/api/v1/entities/{a}/address-books"),
                json!({"name": format!("Copia {fmt}")}),
            )
            .await;
        let cid = copy["id"].as_i64().unwrap();
        let (s, r) = import(&ca, cid, "", ctype, &body).await;
        assert_eq!((s, r["added"].as_i64()), (200, Some(5)), "{fmt}: {r}");
        let (_, orig) = ca.get(&format!("/api/v1/address-books/{id}")).await;
        let (_, back) = ca.get(&format!("/api/v1/address-books/{cid}")).await;
        let strip = |v: &Value| -> Vec<Value> {
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    json!([
                        e["name"],
                        e["organisation"],
                        e["mobile"],
                        e["phone"],
                        e["email"],
                        e["email2"],
                        e["notes"]
                    ])
                })
                .collect()
        };
        assert_eq!(strip(&orig), strip(&back), "{fmt}");
    }
    let (s, _) = cb.get(&format!("/api/v1/address-books/{id}/export")).await;
    assert_eq!(s, 404);

    // Changes and deletions stay within the entity.
    let eid = e["id"].as_i64().unwrap();
    let (s, r) = cb
        .send_json(
            Method::PUT,
            &format!("/api/v1/address-entries/{eid}"),
            json!({"name": "X"}),
        )
        .await;
    assert_eq!(s, 404, "{r}");
    let (s, r) = ca
        .send_json(
            Method::PUT,
            &format!("/api/v1/address-entries/{eid}"),
            json!({"name": "Mario Bianchi", "mobile": "+39 347 1234567", "role": "Tecnico"}),
        )
        .await;
    assert_eq!((s, r["role"].as_str()), (200, Some("Tecnico")), "{r}");
    let (_, list) = cb
        .get(&format!("/api/v1/entities/{bb}/address-books"))
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
}

async fn send_lists_take_people_from_the_book_or_typed_in(b: Backend) {
    let app = spawn_app(b).await;
    let (staff, ca, cb, a, bb) = setup(&app).await;
    let (_, book) = ca
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{a}/address-books"),
            json!({"name": "Volontari"}),
        )
        .await;
    let (_, e) = ca
        .send_json(
            Method::POST,
            &format!("/api/v1/address-books/{}/entries", book["id"]),
            json!({"name": "Piero Galli", "mobile": "333 4445556", "email": "piero@example.org"}),
        )
        .await;
    let (_, other_book) = cb
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{bb}/address-books"),
            json!({"name": "Altri"}),
        )
        .await;
    let (_, other) = cb
        .send_json(
            Method::POST,
            &format!("/api/v1/address-books/{}/entries", other_book["id"]),
            json!({"name": "Di B", "mobile": "333 0000000"}),
        )
        .await;

    let (s, list) = ca
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{a}/contact-lists"),
            json!({"name": "Protezione civile"}),
        )
        .await;
    assert_eq!(s, 201, "{list}");
    let lid = list["id"].as_i64().unwrap();
    let (s, m) = ca
        .send_json(
            Method::POST,
            &format!("/api/v1/contact-lists/{lid}/members"),
            json!({"entry_id": e["id"]}),
        )
        .await;
    assert_eq!(
        (s, m["name"].as_str(), m["phone"].as_str()),
        (201, Some("Piero Galli"), Some("333 4445556")),
        "{m}"
    );
    let (s, m2) = ca
        .send_json(
            Method::POST,
            &format!("/api/v1/contact-lists/{lid}/members"),
            json!({"name": "Sala operativa", "phone": "+39 049 1234567"}),
        )
        .await;
    assert_eq!(s, 201, "{m2}");
    // The same number twice, another entity's entry, nothing to reach: refused.
    let (s, r) = ca
        .send_json(
            Method::POST,
            &format!("/api/v1/contact-lists/{lid}/members"),
            json!({"name": "Doppio", "phone": "+39 333 444 5556"}),
        )
        .await;
    assert_eq!((s, r["code"].as_str()), (409, Some("name_taken")), "{r}");
    let (s, r) = ca
        .send_json(
            Method::POST,
            &format!("/api/v1/contact-lists/{lid}/members"),
            json!({"entry_id": other["id"]}),
        )
        .await;
    assert_eq!(
        (s, r["code"].as_str()),
        (404, Some("address_entry_not_found")),
        "{r}"
    );
    let (s, r) = ca
        .send_json(
            Method::POST,
            &format!("/api/v1/contact-lists/{lid}/members"),
            json!({"name": "Nessuno"}),
        )
        .await;
    assert_eq!(s, 422, "{r}");
    let (s, r) = ca
        .send_json(
            Method::POST,
            &format!("/api/v1/contact-lists/{lid}/members"),
            json!({"name": "X", "phone": "12"}),
        )
        .await;
    assert_eq!(
        (s, r["errors"][0]["field"].as_str()),
        (422, Some("phone")),
        "{r}"
    );

    // The staff see it; the other entity does not.
    let (s, d) = staff.get(&format!("/api/v1/contact-lists/{lid}")).await;
    assert_eq!((s, d["items"].as_array().unwrap().len()), (200, 2), "{d}");
    let (s, _) = cb.get(&format!("/api/v1/contact-lists/{lid}")).await;
    assert_eq!(s, 404);
    let (s, _) = cb
        .send_json(
            Method::POST,
            &format!("/api/v1/contact-lists/{lid}/members"),
            json!({"name": "B", "phone": "3331231231"}),
        )
        .await;
    assert_eq!(s, 404);
    let r = cb
        .request(
            Method::DELETE,
            &format!("/api/v1/contact-list-members/{}", m2["id"]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    // The entry deleted, the list keeps its copy.
    let r = ca
        .request(
            Method::DELETE,
            &format!("/api/v1/address-entries/{}", e["id"]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let (_, d) = ca.get(&format!("/api/v1/contact-lists/{lid}")).await;
    let piero = d["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "Piero Galli")
        .unwrap()
        .clone();
    assert_eq!(
        (piero["entry_id"].clone(), piero["phone"].as_str()),
        (Value::Null, Some("333 4445556"))
    );
    let r = ca
        .request(
            Method::DELETE,
            &format!("/api/v1/contact-list-members/{}", m2["id"]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let (_, d) = ca.get(&format!("/api/v1/entities/{a}/contact-lists")).await;
    assert_eq!(d["items"][0]["members"], 1);
}
