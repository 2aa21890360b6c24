//! Reads an XSD document into a [`Schema`]. Every construct is checked against the list of
//! what the validator implements (see [`Schema::parse`]); anything else is an error naming
//! the construct, so a schema is never validated against half-way.

use std::collections::{HashMap, HashSet};

use super::automaton::{Automaton, ElemId, Particle, Term};
use super::simple::{facet_step, SimpleType};
use super::value::Builtin;
use super::{AttributeDecl, ComplexType, ElementDecl, ElementKind, Schema};
use crate::xml::{self, Element, Node};

const XS: &str = "http://www.w3.org/2001/XMLSchema";

pub(super) fn load(main: &str, imports: &[(&str, &str)]) -> Result<Schema, String> {
    let root = xml::parse(main, true).map_err(|e| format!("schema non leggibile: {e}"))?;
    let mut loader = Loader {
        imports,
        target: None,
        qualified_elements: false,
        qualified_attributes: false,
        simple_defs: HashMap::new(),
        complex_defs: HashMap::new(),
        simple_ids: HashMap::new(),
        complex_ids: HashMap::new(),
        building: HashSet::new(),
        schema: Schema {
            simple: Vec::new(),
            complex: Vec::new(),
            elements: Vec::new(),
            globals: HashMap::new(),
        },
    };
    loader.run(&root)?;
    Ok(loader.schema)
}

struct Loader<'a> {
    imports: &'a [(&'a str, &'a str)],
    target: Option<String>,
    qualified_elements: bool,
    qualified_attributes: bool,
    simple_defs: HashMap<String, &'a Element>,
    complex_defs: HashMap<String, &'a Element>,
    simple_ids: HashMap<String, usize>,
    complex_ids: HashMap<String, usize>,
    /// Named simple types being built (a base chain that loops is an error).
    building: HashSet<String>,
    schema: Schema,
}

/// `<xs:element name="X">` and the like, for messages.
pub(super) fn describe(node: &Element) -> String {
    match node.attr("name").or_else(|| node.attr("ref")) {
        Some(n) => format!("<xs:{} «{n}»>", node.local),
        None => format!("<xs:{}>", node.local),
    }
}

/// Refuses attributes (in no namespace) that the construct does not implement; attributes
/// in other namespaces are annotations without meaning for validation.
pub(super) fn check_attrs(node: &Element, allowed: &[&str]) -> Result<(), String> {
    match node
        .attrs
        .iter()
        .find(|a| a.ns.is_none() && !allowed.contains(&a.local.as_str()))
    {
        Some(a) => Err(format!(
            "{}: attributo «{}» non supportato dal validatore",
            describe(node),
            a.local
        )),
        None => Ok(()),
    }
}

/// The schema children of a construct, annotations skipped; text or foreign elements are
/// errors.
pub(super) fn children(node: &Element) -> Result<Vec<&Element>, String> {
    let mut out = Vec::new();
    for child in &node.children {
        match child {
            Node::Text(t) if t.trim().is_empty() => {}
            Node::Text(t) => {
                return Err(format!("{}: testo inatteso «{}»", describe(node), t.trim()));
            }
            Node::Element(e) if e.ns.as_deref() != Some(XS) => {
                return Err(format!(
                    "{}: elemento estraneo «{}» nello schema",
                    describe(node),
                    e.local
                ));
            }
            Node::Element(e) if e.local == "annotation" => {}
            Node::Element(e) => out.push(e),
        }
    }
    Ok(out)
}

pub(super) fn required<'e>(node: &'e Element, attr: &str) -> Result<&'e str, String> {
    node.attr(attr)
        .ok_or_else(|| format!("{}: manca l'attributo «{attr}»", describe(node)))
}

fn occurs(node: &Element) -> Result<(u32, Option<u32>), String> {
    let bad = |a: &str| format!("{}: valore di «{a}» non valido", describe(node));
    let min = match node.attr("minOccurs") {
        Some(v) => v.trim().parse().map_err(|_| bad("minOccurs"))?,
        None => 1,
    };
    let max = match node.attr("maxOccurs").map(str::trim) {
        Some("unbounded") => None,
        Some(v) => Some(v.parse().map_err(|_| bad("maxOccurs"))?),
        None => Some(1),
    };
    if max.is_some_and(|m| m < min) {
        return Err(bad("maxOccurs"));
    }
    Ok((min, max))
}

fn form(node: &Element, default_qualified: bool) -> Result<bool, String> {
    match node.attr("form") {
        None => Ok(default_qualified),
        Some("qualified") => Ok(true),
        Some("unqualified") => Ok(false),
        Some(other) => Err(format!("{}: form «{other}» non valido", describe(node))),
    }
}

impl<'a> Loader<'a> {
    fn run(&mut self, root: &'a Element) -> Result<(), String> {
        if root.ns.as_deref() != Some(XS) || root.local != "schema" {
            return Err("il documento non è uno schema XSD".into());
        }
        check_attrs(
            root,
            &[
                "targetNamespace",
                "version",
                "elementFormDefault",
                "attributeFormDefault",
                "id",
            ],
        )?;
        self.target = root.attr("targetNamespace").map(str::to_owned);
        self.qualified_elements = form_default(root, "elementFormDefault")?;
        self.qualified_attributes = form_default(root, "attributeFormDefault")?;
        let mut global_elements = Vec::new();
        for node in children(root)? {
            match node.local.as_str() {
                "import" => self.import(node)?,
                "element" => global_elements.push(node),
                "simpleType" | "complexType" => {
                    let name = required(node, "name")?.to_owned();
                    let clash = self.simple_defs.contains_key(&name)
                        || self.complex_defs.contains_key(&name);
                    if clash {
                        return Err(format!("tipo «{name}» definito due volte"));
                    }
                    if node.local == "simpleType" {
                        self.simple_defs.insert(name, node);
                    } else {
                        self.complex_defs.insert(name, node);
                    }
                }
                _ => return Err(format!("{}: costrutto non supportato", describe(node))),
            }
        }
        // Global elements get their ids first, so that references resolve in any order.
        let mut ids = Vec::new();
        for node in &global_elements {
            check_attrs(node, &["name", "type", "default", "id"])?;
            let name = required(node, "name")?.to_owned();
            let id = self.declare(self.target.clone(), name, None)?;
            ids.push(id);
        }
        for (node, id) in global_elements.iter().zip(ids) {
            let kind = self.element_kind(node)?;
            if let Some(decl) = self.schema.elements.get_mut(id) {
                decl.kind = kind;
                decl.default = node.attr("default").map(str::to_owned);
            }
        }
        // Every named type is built, used or not: an unsupported construct anywhere fails.
        let mut simple: Vec<String> = self.simple_defs.keys().cloned().collect();
        simple.sort();
        for name in simple {
            self.named_simple(&name)?;
        }
        let mut complex: Vec<String> = self.complex_defs.keys().cloned().collect();
        complex.sort();
        for name in complex {
            self.named_complex(&name)?;
        }
        Ok(())
    }

    fn declare(
        &mut self,
        ns: Option<String>,
        name: String,
        default: Option<String>,
    ) -> Result<ElemId, String> {
        let key = (ns.clone(), name.clone());
        if self.schema.globals.contains_key(&key) {
            return Err(format!("elemento globale «{name}» dichiarato due volte"));
        }
        let id = self.schema.elements.len();
        self.schema.elements.push(ElementDecl {
            ns,
            name,
            kind: ElementKind::Unsupported("dichiarazione incompleta".into()),
            default,
        });
        self.schema.globals.insert(key, id);
        Ok(id)
    }

    /// An `xs:import`: the imported file must be one of those given; its global elements
    /// are declared as unsupported (an instance may not contain them).
    fn import(&mut self, node: &Element) -> Result<(), String> {
        check_attrs(node, &["namespace", "schemaLocation", "id"])?;
        let ns = required(node, "namespace")?;
        let location = required(node, "schemaLocation")?;
        let text = self
            .imports
            .iter()
            .find(|(name, _)| *name == location)
            .map(|(_, text)| *text)
            .ok_or_else(|| format!("schema importato «{location}» non disponibile"))?;
        let root = xml::parse(text, true)
            .map_err(|e| format!("schema importato «{location}» non leggibile: {e}"))?;
        if root.ns.as_deref() != Some(XS) || root.local != "schema" {
            return Err(format!("«{location}» non è uno schema XSD"));
        }
        if root.attr("targetNamespace") != Some(ns) {
            return Err(format!("«{location}» non ha il namespace {ns}"));
        }
        for el in children(&root)?
            .into_iter()
            .filter(|e| e.local == "element")
        {
            let name = required(el, "name")?.to_owned();
            let id = self.declare(Some(ns.to_owned()), name.clone(), None)?;
            if let Some(decl) = self.schema.elements.get_mut(id) {
                decl.kind = ElementKind::Unsupported(format!(
                    "l'elemento «{name}» ({ns}) non è verificato da questo validatore"
                ));
            }
        }
        Ok(())
    }

    fn element_kind(&mut self, node: &Element) -> Result<ElementKind, String> {
        let name = node.attr("name").unwrap_or("");
        let kids = children(node)?;
        if let Some(k) = kids
            .iter()
            .find(|k| !matches!(k.local.as_str(), "simpleType" | "complexType"))
        {
            return Err(format!(
                "{}: costrutto <xs:{}> non supportato",
                describe(node),
                k.local
            ));
        }
        match (node.attr("type"), kids.as_slice()) {
            (Some(t), []) => self.type_by_name(node, t),
            (None, [k]) if k.local == "simpleType" => {
                Ok(ElementKind::Simple(self.simple_type(k, name.to_owned())?))
            }
            (None, [k]) => Ok(ElementKind::Complex(self.complex_type(k)?)),
            (None, []) => Err(format!(
                "{}: elemento senza tipo (xs:anyType) non supportato",
                describe(node)
            )),
            _ => Err(format!("{}: definizione di tipo ambigua", describe(node))),
        }
    }

    fn type_by_name(&mut self, node: &Element, qname: &str) -> Result<ElementKind, String> {
        let (ns, local) = node.resolve_qname(qname)?;
        if ns.as_deref() == Some(XS) {
            return Ok(ElementKind::Simple(self.builtin(node, &local)?));
        }
        if ns != self.target {
            return Err(format!(
                "{}: tipo «{qname}» di un altro schema",
                describe(node)
            ));
        }
        if self.simple_defs.contains_key(&local) {
            Ok(ElementKind::Simple(self.named_simple(&local)?))
        } else if self.complex_defs.contains_key(&local) {
            Ok(ElementKind::Complex(self.named_complex(&local)?))
        } else {
            Err(format!("{}: tipo «{qname}» non definito", describe(node)))
        }
    }

    /// A simple type named by QName (built-in or of this schema).
    fn simple_by_name(&mut self, node: &Element, qname: &str) -> Result<usize, String> {
        match self.type_by_name(node, qname)? {
            ElementKind::Simple(id) => Ok(id),
            _ => Err(format!(
                "{}: «{qname}» non è un tipo semplice",
                describe(node)
            )),
        }
    }

    fn builtin(&mut self, node: &Element, local: &str) -> Result<usize, String> {
        let b = Builtin::from_local(local).ok_or_else(|| {
            format!(
                "{}: tipo predefinito xs:{local} non supportato",
                describe(node)
            )
        })?;
        let key = b.name().to_owned();
        if let Some(id) = self.simple_ids.get(&key) {
            return Ok(*id);
        }
        self.schema.simple.push(SimpleType::builtin(b));
        let id = self.schema.simple.len() - 1;
        self.simple_ids.insert(key, id);
        Ok(id)
    }

    fn named_simple(&mut self, name: &str) -> Result<usize, String> {
        if let Some(id) = self.simple_ids.get(name) {
            return Ok(*id);
        }
        if !self.building.insert(name.to_owned()) {
            return Err(format!("tipo «{name}» derivato da se stesso"));
        }
        let node = *self
            .simple_defs
            .get(name)
            .ok_or_else(|| format!("tipo «{name}» non definito"))?;
        let id = self.simple_type(node, name.to_owned())?;
        self.building.remove(name);
        self.simple_ids.insert(name.to_owned(), id);
        Ok(id)
    }

    fn named_complex(&mut self, name: &str) -> Result<usize, String> {
        if let Some(id) = self.complex_ids.get(name) {
            return Ok(*id);
        }
        let node = *self
            .complex_defs
            .get(name)
            .ok_or_else(|| format!("tipo «{name}» non definito"))?;
        // The id is reserved first: a type may contain itself through its elements.
        self.schema.complex.push(ComplexType {
            attributes: Vec::new(),
            content: Automaton::build(None)?,
        });
        let id = self.schema.complex.len() - 1;
        self.complex_ids.insert(name.to_owned(), id);
        let built = self.build_complex(node)?;
        if let Some(slot) = self.schema.complex.get_mut(id) {
            *slot = built;
        }
        Ok(id)
    }

    fn complex_type(&mut self, node: &Element) -> Result<usize, String> {
        let built = self.build_complex(node)?;
        self.schema.complex.push(built);
        Ok(self.schema.complex.len() - 1)
    }

    fn build_complex(&mut self, node: &Element) -> Result<ComplexType, String> {
        check_attrs(node, &["name", "mixed", "id"])?;
        if !matches!(node.attr("mixed"), None | Some("false" | "0")) {
            return Err(format!(
                "{}: contenuto misto non supportato",
                describe(node)
            ));
        }
        let mut particle = None;
        let mut attributes: Vec<AttributeDecl> = Vec::new();
        for child in children(node)? {
            match child.local.as_str() {
                "sequence" | "choice" if particle.is_none() && attributes.is_empty() => {
                    particle = Some(self.particle(child)?);
                }
                "attribute" => {
                    if let Some(a) = self.attribute(child)? {
                        if attributes.iter().any(|b| b.ns == a.ns && b.name == a.name) {
                            return Err(format!("{}: attributo ripetuto", describe(child)));
                        }
                        attributes.push(a);
                    }
                }
                _ => {
                    return Err(format!(
                        "{}: costrutto <xs:{}> non supportato in questa posizione",
                        describe(node),
                        child.local
                    ))
                }
            }
        }
        Ok(ComplexType {
            attributes,
            content: Automaton::build(particle.as_ref())
                .map_err(|e| format!("{}: {e}", describe(node)))?,
        })
    }

    fn particle(&mut self, node: &Element) -> Result<Particle, String> {
        let (min, max) = occurs(node)?;
        let term = match node.local.as_str() {
            "element" => Term::Element(self.local_element(node)?),
            "sequence" | "choice" => {
                check_attrs(node, &["minOccurs", "maxOccurs", "id"])?;
                let mut parts = Vec::new();
                for child in children(node)? {
                    parts.push(self.particle(child)?);
                }
                if node.local == "sequence" {
                    Term::Sequence(parts)
                } else {
                    Term::Choice(parts)
                }
            }
            _ => return Err(format!("{}: particella non supportata", describe(node))),
        };
        Ok(Particle { term, min, max })
    }

    fn local_element(&mut self, node: &Element) -> Result<ElemId, String> {
        let allowed = [
            "name",
            "type",
            "ref",
            "minOccurs",
            "maxOccurs",
            "default",
            "form",
            "id",
        ];
        check_attrs(node, &allowed)?;
        if let Some(r) = node.attr("ref") {
            let plain = ["name", "type", "default", "form"]
                .iter()
                .all(|a| node.attr(a).is_none());
            if !plain || !children(node)?.is_empty() {
                return Err(format!("{}: «ref» con altre definizioni", describe(node)));
            }
            let key = node.resolve_qname(r)?;
            return self
                .schema
                .globals
                .get(&key)
                .copied()
                .ok_or_else(|| format!("{}: elemento globale non dichiarato", describe(node)));
        }
        let name = required(node, "name")?.to_owned();
        let ns = if form(node, self.qualified_elements)? {
            self.target.clone()
        } else {
            None
        };
        let kind = self.element_kind(node)?;
        self.schema.elements.push(ElementDecl {
            ns,
            name,
            kind,
            default: node.attr("default").map(str::to_owned),
        });
        Ok(self.schema.elements.len() - 1)
    }

    fn attribute(&mut self, node: &Element) -> Result<Option<AttributeDecl>, String> {
        check_attrs(
            node,
            &["name", "type", "use", "default", "fixed", "form", "id"],
        )?;
        let name = required(node, "name")?.to_owned();
        let required = match node.attr("use") {
            None | Some("optional") => false,
            Some("required") => true,
            Some("prohibited") => return Ok(None),
            Some(other) => return Err(format!("{}: use «{other}» non valido", describe(node))),
        };
        if node.attr("default").is_some() && (required || node.attr("fixed").is_some()) {
            return Err(format!("{}: «default» non ammesso qui", describe(node)));
        }
        let kids = children(node)?;
        let simple = match (node.attr("type"), kids.as_slice()) {
            (Some(t), []) => self.simple_by_name(node, t)?,
            (None, [k]) if k.local == "simpleType" => self.simple_type(k, name.clone())?,
            _ => {
                return Err(format!(
                    "{}: tipo dell'attributo mancante o non supportato",
                    describe(node)
                ))
            }
        };
        let fixed = node.attr("fixed").map(str::to_owned);
        for v in [&fixed, &node.attr("default").map(str::to_owned)]
            .into_iter()
            .flatten()
        {
            if let Some(t) = self.schema.simple.get(simple) {
                t.check(v)
                    .map_err(|e| format!("{}: valore «{v}» non valido: {e}", describe(node)))?;
            }
        }
        let ns = if form(node, self.qualified_attributes)? {
            self.target.clone()
        } else {
            None
        };
        Ok(Some(AttributeDecl {
            ns,
            name,
            simple,
            required,
            fixed,
        }))
    }

    fn simple_type(&mut self, node: &Element, name: String) -> Result<usize, String> {
        check_attrs(node, &["name", "id"])?;
        let kids = children(node)?;
        let restriction = match kids.as_slice() {
            [r] if r.local == "restriction" => *r,
            _ => {
                return Err(format!(
                    "{}: solo la derivazione per restrizione è supportata",
                    describe(node)
                ))
            }
        };
        check_attrs(restriction, &["base", "id"])?;
        let mut facets = children(restriction)?;
        let base = match (restriction.attr("base"), facets.first()) {
            (Some(b), _) => self.simple_by_name(restriction, b)?,
            (None, Some(first)) if first.local == "simpleType" => {
                let id = self.simple_type(first, format!("{name} (base)"))?;
                facets.remove(0);
                id
            }
            _ => return Err(format!("{}: restrizione senza base", describe(node))),
        };
        let base = self
            .schema
            .simple
            .get(base)
            .ok_or_else(|| format!("{}: base non trovata", describe(node)))?;
        let mut derived = SimpleType {
            name,
            builtin: base.builtin,
            whitespace: base.whitespace,
            steps: base.steps.clone(),
        };
        let step =
            facet_step(&mut derived, &facets).map_err(|e| format!("{}: {e}", describe(node)))?;
        derived.steps.push(step);
        self.schema.simple.push(derived);
        Ok(self.schema.simple.len() - 1)
    }
}

fn form_default(root: &Element, attr: &str) -> Result<bool, String> {
    match root.attr(attr) {
        None | Some("unqualified") => Ok(false),
        Some("qualified") => Ok(true),
        Some(other) => Err(format!("{attr} «{other}» non valido")),
    }
}
