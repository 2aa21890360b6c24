//! Validation against the official FatturaPA XSD, in Rust, with the schema read at run time
//! from the vendored files (`schema/`, see `schema/ORIGIN.md`).
//!
//! The loader understands the XSD constructs the FPA12 v1.2.3 schema uses and refuses any
//! other one (see [`Schema::parse`]), so the schema can never be half-understood: either it
//! loads whole, or validation reports that it could not.

mod automaton;
mod instance;
mod load;
mod pattern;
mod simple;
mod value;

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use serde::Serialize;

use automaton::{Automaton, ElemId};
use simple::SimpleType;

/// The FatturaPA schema, v1.2.3, as published (one change: the local xmldsig location).
pub const FATTURAPA_XSD: &str =
    include_str!("../../schema/Schema_del_file_xml_FatturaPA_v1.2.3.xsd");
/// The W3C XML-Signature schema the FatturaPA schema imports.
pub const XMLDSIG_XSD: &str = include_str!("../../schema/xmldsig-core-schema.xsd");
/// The file name the FatturaPA schema imports the xmldsig schema by.
pub const XMLDSIG_LOCATION: &str = "xmldsig-core-schema.xsd";

/// One reason a document does not conform: where (the element path, e.g.
/// `/FatturaElettronica/FatturaElettronicaHeader/DatiTrasmissione/CodiceDestinatario`) and
/// what is wrong, in Italian.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemaError {
    pub path: String,
    pub message: String,
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// A loaded schema: its declarations, ready to validate documents.
#[derive(Debug)]
pub struct Schema {
    simple: Vec<SimpleType>,
    complex: Vec<ComplexType>,
    elements: Vec<ElementDecl>,
    /// Global element declarations by (namespace, local name).
    globals: HashMap<(Option<String>, String), ElemId>,
}

#[derive(Debug)]
pub(crate) enum ElementKind {
    Simple(usize),
    Complex(usize),
    /// Declared by an imported schema that is only read for its global names (xmldsig):
    /// an instance carrying the element is refused with this reason, never let through.
    Unsupported(String),
}

#[derive(Debug)]
pub(crate) struct ElementDecl {
    pub ns: Option<String>,
    pub name: String,
    pub kind: ElementKind,
    /// The `default` value, used when the element is empty.
    pub default: Option<String>,
}

#[derive(Debug)]
pub(crate) struct AttributeDecl {
    pub ns: Option<String>,
    pub name: String,
    pub simple: usize,
    pub required: bool,
    pub fixed: Option<String>,
}

#[derive(Debug)]
pub(crate) struct ComplexType {
    pub attributes: Vec<AttributeDecl>,
    /// Element-only content (possibly empty).
    pub content: Automaton,
}

impl Schema {
    /// Loads a schema from its text. `imports` gives the text of the files its
    /// `xs:import`s name in `schemaLocation` (no file or network access happens).
    ///
    /// Supported: `schema` (targetNamespace, elementFormDefault, attributeFormDefault),
    /// `import`, `annotation`/`documentation` (ignored), global and local `element` (name,
    /// type, ref, minOccurs, maxOccurs, default, form; anonymous types), named and anonymous
    /// `complexType` with `sequence`/`choice` (nested, with occurrences) and `attribute`s
    /// (name, type, use, default, fixed, form), `simpleType` by `restriction` of a built-in
    /// or named simple type with the facets pattern, enumeration, length, minLength,
    /// maxLength, min/maxInclusive, min/maxExclusive, totalDigits, fractionDigits,
    /// whiteSpace. Built-ins: string, normalizedString, token, decimal, integer,
    /// nonNegativeInteger, positiveInteger, date, dateTime, base64Binary, boolean.
    /// Anything else (`all`, `any`, `group`, `attributeGroup`, `list`, `union`,
    /// `simpleContent`, `complexContent`, `mixed`, `nillable`, `fixed` elements, identity
    /// constraints, `include`, other built-ins, …) is an error. An imported schema is only
    /// read for the names of its global elements, which an instance may then not contain.
    pub fn parse(main: &str, imports: &[(&str, &str)]) -> Result<Schema, String> {
        load::load(main, imports)
    }

    /// Validates a document against this schema: every error found, or `Ok`.
    pub fn validate(&self, xml: &str) -> Result<(), Vec<SchemaError>> {
        let root = crate::xml::parse(xml, false).map_err(|message| {
            vec![SchemaError {
                path: "/".into(),
                message,
            }]
        })?;
        let errors = instance::validate(self, &root);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

fn fatturapa_schema() -> &'static Result<Schema, String> {
    static SCHEMA: OnceLock<Result<Schema, String>> = OnceLock::new();
    SCHEMA.get_or_init(|| Schema::parse(FATTURAPA_XSD, &[(XMLDSIG_LOCATION, XMLDSIG_XSD)]))
}

/// Whether the vendored FatturaPA schema loads (it is loaded once per process).
pub fn schema_loads() -> Result<(), String> {
    fatturapa_schema()
        .as_ref()
        .map(|_| ())
        .map_err(Clone::clone)
}

/// Validates a document against the FatturaPA v1.2.3 schema (FPA12 and FPR12).
pub fn validate(xml: &str) -> Result<(), Vec<SchemaError>> {
    match fatturapa_schema() {
        Ok(schema) => schema.validate(xml),
        Err(e) => Err(vec![SchemaError {
            path: "/".into(),
            message: format!("schema FatturaPA non caricabile: {e}"),
        }]),
    }
}

#[cfg(test)]
mod tests;
