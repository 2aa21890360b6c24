//! Validation of a document tree against a loaded [`Schema`]: the root against the global
//! declarations, then each element's attributes, children (through its type's content
//! automaton) and text. Every error is collected with the element path.

use super::{ComplexType, ElementKind, Schema, SchemaError};
use crate::xml::{Element, Node};

const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// How much of a refused value a message quotes.
const QUOTED: usize = 80;

pub(super) fn validate(schema: &Schema, root: &Element) -> Vec<SchemaError> {
    let mut v = Validator {
        schema,
        errors: Vec::new(),
    };
    let path = format!("/{}", root.local);
    match schema.globals.get(&(root.ns.clone(), root.local.clone())) {
        Some(id) => v.element(root, *id, &path),
        None => v.error(
            &path,
            format!(
                "elemento radice «{}» (namespace {}) non dichiarato nello schema",
                root.local,
                root.ns.as_deref().unwrap_or("assente")
            ),
        ),
    }
    v.errors
}

struct Validator<'s> {
    schema: &'s Schema,
    errors: Vec<SchemaError>,
}

fn quote(s: &str) -> String {
    if s.chars().count() > QUOTED {
        let cut: String = s.chars().take(QUOTED).collect();
        format!("«{cut}…»")
    } else {
        format!("«{s}»")
    }
}

impl Validator<'_> {
    fn error(&mut self, path: &str, message: String) {
        self.errors.push(SchemaError {
            path: path.to_owned(),
            message,
        });
    }

    fn decl_name(&self, id: usize) -> String {
        self.schema
            .elements
            .get(id)
            .map(|d| d.name.clone())
            .unwrap_or_default()
    }

    fn element(&mut self, el: &Element, id: usize, path: &str) {
        let schema = self.schema;
        let Some(decl) = schema.elements.get(id) else {
            return;
        };
        match &decl.kind {
            ElementKind::Unsupported(reason) => self.error(path, reason.clone()),
            ElementKind::Simple(st) => {
                self.attributes(el, None, path);
                if el.elements().next().is_some() {
                    self.error(
                        path,
                        "elementi figli non ammessi: è atteso un valore".into(),
                    );
                    return;
                }
                let mut text = el.text();
                if text.is_empty() {
                    if let Some(d) = &decl.default {
                        text.clone_from(d);
                    }
                }
                self.value(*st, &text, path);
            }
            ElementKind::Complex(ct) => {
                if let Some(ct) = schema.complex.get(*ct) {
                    self.attributes(el, Some(ct), path);
                    self.content(el, ct, path);
                }
            }
        }
    }

    fn value(&mut self, st: usize, text: &str, path: &str) {
        let schema = self.schema;
        if let Some(t) = schema.simple.get(st) {
            if let Err(why) = t.check(text) {
                let msg = format!("{} non rispetta lo schema ({}: {why})", quote(text), t.name);
                self.error(path, msg);
            }
        }
    }

    fn attributes(&mut self, el: &Element, ct: Option<&ComplexType>, path: &str) {
        let declared = ct.map(|c| c.attributes.as_slice()).unwrap_or_default();
        for a in &el.attrs {
            if a.ns.as_deref() == Some(XSI) {
                match a.local.as_str() {
                    // Location hints: the schema in use is ours whatever they say.
                    "schemaLocation" | "noNamespaceSchemaLocation" => {}
                    other => self.error(
                        path,
                        format!("attributo xsi:{other} non supportato dal validatore"),
                    ),
                }
                continue;
            }
            match declared.iter().find(|d| d.ns == a.ns && d.name == a.local) {
                Some(d) => {
                    let apath = format!("{path}/@{}", a.local);
                    if let Some(f) = d.fixed.as_ref().filter(|f| **f != a.value) {
                        self.error(&apath, format!("il valore deve essere «{f}»"));
                    }
                    self.value(d.simple, &a.value, &apath);
                }
                None => self.error(path, format!("attributo «{}» non previsto", a.local)),
            }
        }
        for d in declared.iter().filter(|d| d.required) {
            if !el.attrs.iter().any(|a| a.ns == d.ns && a.local == d.name) {
                self.error(path, format!("manca l'attributo obbligatorio «{}»", d.name));
            }
        }
    }

    fn names(&self, ids: &[usize]) -> String {
        let mut names: Vec<String> = Vec::new();
        for id in ids {
            let n = format!("«{}»", self.decl_name(*id));
            if !names.contains(&n) {
                names.push(n);
            }
        }
        names.join(", ")
    }

    fn content(&mut self, el: &Element, ct: &ComplexType, path: &str) {
        let schema = self.schema;
        let automaton = &ct.content;
        let mut set = automaton.initial();
        let mut broken = false;
        let mut counts: Vec<(String, usize)> = Vec::new();
        for node in &el.children {
            let child = match node {
                Node::Element(c) => c,
                Node::Text(t) => {
                    if !t.trim().is_empty() {
                        self.error(path, format!("testo {} non ammesso qui", quote(t.trim())));
                    }
                    continue;
                }
            };
            let n = match counts.iter_mut().find(|(name, _)| *name == child.local) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    counts.push((child.local.clone(), 1));
                    1
                }
            };
            let child_path = if n > 1 {
                format!("{path}/{}[{n}]", child.local)
            } else {
                format!("{path}/{}", child.local)
            };
            let is = |id: usize| {
                schema
                    .elements
                    .get(id)
                    .is_some_and(|d| d.ns == child.ns && d.name == child.local)
            };
            if !broken {
                let (next, matched) = automaton.step(&set, is);
                if let Some(id) = matched {
                    set = next;
                    self.element(child, id, &child_path);
                    continue;
                }
                let expected = automaton.expected(&set);
                let msg = if expected.is_empty() {
                    format!(
                        "elemento «{}» inatteso: non sono ammessi altri elementi",
                        child.local
                    )
                } else {
                    format!(
                        "elemento «{}» inatteso; atteso: {}",
                        child.local,
                        self.names(&expected)
                    )
                };
                self.error(&child_path, msg);
                broken = true;
            }
            // After an error the order is lost; children the type knows are still checked.
            if let Some(id) = automaton.declarations().into_iter().find(|id| is(*id)) {
                self.element(child, id, &child_path);
            }
        }
        if !broken && !automaton.accepts(&set) {
            let expected = automaton.expected(&set);
            let msg = match expected.as_slice() {
                [one] => format!("contenuto incompleto: manca «{}»", self.decl_name(*one)),
                _ => format!(
                    "contenuto incompleto: atteso ancora uno tra {}",
                    self.names(&expected)
                ),
            };
            self.error(path, msg);
        }
    }
}
