//! The main menu: a few groups, each a link or a dropdown, chosen by role, so that it fits one
//! line at desk width and becomes Bootstrap Italia's off-canvas menu on a phone.

use kernel::Role;

/// One entry of the menu bar: a link when `items` is empty, else a dropdown.
pub struct NavGroup {
    /// Stable id suffix (`nav-assistenza`), used by tests and the dropdown's label.
    pub key: &'static str,
    pub label: &'static str,
    pub href: &'static str,
    pub active: bool,
    pub items: Vec<NavItem>,
}

pub struct NavItem {
    pub label: &'static str,
    pub href: &'static str,
    pub active: bool,
}

/// Which group a page's navigation key belongs to.
fn group_of(nav: &str) -> &'static str {
    match nav {
        "home" => "cruscotto",
        "tickets" | "phases" | "reports" | "mail" | "helpdesk-settings" | "faq" => "assistenza",
        "entities" | "import" => "enti",
        "catalog" | "price-lists" | "quotes" | "requests" | "needs" | "membership" => "servizi",
        "addressbook" | "courses" | "sms" | "agenda" => "ufficio",
        "statements" | "billing-settings" | "deadlines" | "overdue" | "revenue" => "rendiconti",
        "users" | "audit" | "jobs" => "amministrazione",
        _ => "",
    }
}

/// The menu of a person with `role`, with the page `nav` marked.
pub fn menu(role: Role, nav: &str) -> Vec<NavGroup> {
    let item = |label, href, key: &str| NavItem {
        label,
        href,
        active: key == nav,
    };
    let group = |key: &'static str, label, href, items: Vec<NavItem>| NavGroup {
        key,
        label,
        href,
        active: group_of(nav) == key,
        items,
    };
    let admin = role == Role::Admin;
    let mut out = vec![group("cruscotto", "Cruscotto", "/", vec![])];
    out.push(match role {
        Role::Supplier => group("assistenza", "Fasi assegnate", "/phases", vec![]),
        Role::Contact => group("assistenza", "Assistenza", "/tickets", vec![]),
        Role::Admin | Role::Operator => {
            let mut items = vec![
                item("Coda dei ticket", "/tickets", "tickets"),
                item("Posta dell'assistenza", "/helpdesk/mail", "mail"),
                item("Fasi affidate ai fornitori", "/phases", "phases"),
                item("Rispetto degli SLA", "/reports/sla", "reports"),
                item("Domande frequenti", "/faq", "faq"),
            ];
            if admin {
                items.push(item(
                    "Impostazioni dell'assistenza",
                    "/helpdesk/settings",
                    "helpdesk-settings",
                ));
            }
            group("assistenza", "Assistenza", "/tickets", items)
        }
    });
    out.push(if admin {
        group(
            "enti",
            "Enti",
            "/entities",
            vec![
                item("Enti aderenti", "/entities", "entities"),
                item("Importa enti", "/import", "import"),
            ],
        )
    } else {
        group("enti", "Enti", "/entities", vec![])
    });
    let mut services = vec![
        item("Catalogo dei servizi", "/catalog", "catalog"),
        item("Listini", "/price-lists", "price-lists"),
    ];
    if role != Role::Supplier {
        services.push(item("Richieste di attivazione", "/requests", "requests"));
        services.push(item("Preventivi", "/quotes", "quotes"));
        services.push(item("Scheda dei fabbisogni", "/needs", "needs"));
    }
    if admin {
        services.push(item("Quota associativa", "/membership-fee", "membership"));
    }
    out.push(group("servizi", "Servizi", "/catalog", services));
    if role != Role::Supplier {
        out.push(group(
            "ufficio",
            "Ufficio",
            "/rubrica",
            vec![
                item("Agenda", "/agenda", "agenda"),
                item("Rubrica e liste", "/rubrica", "addressbook"),
                item("SMS", "/sms", "sms"),
                item("Corsi di formazione", "/corsi", "courses"),
            ],
        ));
    }
    match role {
        Role::Supplier => {}
        Role::Contact => out.push(group(
            "rendiconti",
            "Rendiconti",
            "/statements",
            vec![
                item("Rendiconti", "/statements", "statements"),
                item("Scadenzario", "/deadlines", "deadlines"),
            ],
        )),
        Role::Admin | Role::Operator => {
            let mut items = vec![
                item("Rendiconti dell'anno", "/statements", "statements"),
                item("Pagamenti scaduti", "/statements?stato=overdue", "overdue"),
                item("Scadenzario", "/deadlines", "deadlines"),
                item("Ricavi e sostenibilità", "/reports/revenue", "revenue"),
            ];
            if admin {
                items.push(item(
                    "Impostazioni di fatturazione",
                    "/billing/settings",
                    "billing-settings",
                ));
            }
            out.push(group("rendiconti", "Rendiconti", "/statements", items));
        }
    }
    if admin {
        out.push(group(
            "amministrazione",
            "Amministrazione",
            "/users",
            vec![
                item("Utenti", "/users", "users"),
                item("Registro delle modifiche", "/audit", "audit"),
                item("Attività in background", "/jobs", "jobs"),
            ],
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_gets_its_groups_and_the_page_is_marked() {
        let keys = |r| menu(r, "").iter().map(|g| g.key).collect::<Vec<_>>();
        assert_eq!(
            keys(Role::Admin),
            [
                "cruscotto",
                "assistenza",
                "enti",
                "servizi",
                "ufficio",
                "rendiconti",
                "amministrazione"
            ]
        );
        assert_eq!(
            keys(Role::Contact),
            [
                "cruscotto",
                "assistenza",
                "enti",
                "servizi",
                "ufficio",
                "rendiconti"
            ]
        );
        assert!(!keys(Role::Supplier).contains(&"ufficio"));
        let m = menu(Role::Supplier, "phases");
        assert_eq!(m[1].label, "Fasi assegnate");
        assert!(m[1].active);
        let m = menu(Role::Admin, "audit");
        let admin = m.iter().find(|g| g.key == "amministrazione").unwrap();
        assert!(admin.active);
        assert!(admin.items.iter().any(|i| i.active && i.href == "/audit"));
        // Nobody but admins is offered the admin pages.
        for r in [Role::Operator, Role::Contact, Role::Supplier] {
            let hrefs: Vec<_> = menu(r, "")
                .iter()
                .flat_map(|g| std::iter::once(g.href).chain(g.items.iter().map(|i| i.href)))
                .collect();
            for admin_only in [
                "/users",
                "/audit",
                "/jobs",
                "/import",
                "/membership-fee",
                "/billing/settings",
            ] {
                assert!(!hrefs.contains(&admin_only), "{r:?} sees {admin_only}");
            }
        }
    }
}
