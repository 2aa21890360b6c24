//! A small namespace-aware XML tree over quick-xml, shared by the schema loader, the
//! validator and the receipt reader. Documents here are small (an invoice, a schema, an SdI
//! notice), so a tree is simpler than streaming and costs nothing that matters.
//!
//! Only what XML 1.0 allows gets through: one root element, no text outside it, the five
//! predefined entities and character references, characters of the XML `Char` production.
//! A DOCTYPE is refused unless the caller allows it (the W3C xmldsig schema carries one); its
//! internal subset is never expanded.

use std::rc::Rc;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// The namespace bound to the reserved `xml` prefix.
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// One in-scope namespace binding: prefix (`""` for the default namespace) and URI (`""`
/// undeclares the default namespace).
type Binding = (String, String);

#[derive(Debug, Clone)]
pub(crate) struct Element {
    pub ns: Option<String>,
    pub local: String,
    pub attrs: Vec<Attr>,
    pub children: Vec<Node>,
    /// The namespace bindings in scope on this element, innermost last: schema attribute
    /// values such as `type="xs:string"` are QNames resolved against them.
    pub scope: Rc<Vec<Binding>>,
}

#[derive(Debug, Clone)]
pub(crate) struct Attr {
    pub ns: Option<String>,
    pub local: String,
    pub value: String,
}

#[derive(Debug, Clone)]
pub(crate) enum Node {
    Element(Element),
    Text(String),
}

impl Element {
    /// The child elements, skipping text.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// All the text directly inside this element, concatenated.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for n in &self.children {
            if let Node::Text(t) = n {
                s.push_str(t);
            }
        }
        s
    }

    /// The value of the attribute `local` in no namespace.
    pub fn attr(&self, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns.is_none() && a.local == local)
            .map(|a| a.value.as_str())
    }

    /// The first child element with this local name (any namespace).
    pub fn child(&self, local: &str) -> Option<&Element> {
        self.elements().find(|e| e.local == local)
    }

    /// The trimmed text of the first child element with this local name.
    pub fn child_text(&self, local: &str) -> Option<String> {
        self.child(local).map(|e| e.text().trim().to_owned())
    }

    /// Resolves a QName written in an attribute value (`xs:string`, `Foo`) against the
    /// bindings in scope: an unprefixed name takes the default namespace, as XSD requires.
    pub fn resolve_qname(&self, qname: &str) -> Result<(Option<String>, String), String> {
        let (prefix, local) = match qname.split_once(':') {
            Some((p, l)) => (p, l),
            None => ("", qname),
        };
        if local.is_empty() || local.contains(':') {
            return Err(format!("nome qualificato non valido «{qname}»"));
        }
        if prefix == "xml" {
            return Ok((Some(XML_NS.to_owned()), local.to_owned()));
        }
        match self.scope.iter().rev().find(|(p, _)| p == prefix) {
            Some((_, uri)) if uri.is_empty() => Ok((None, local.to_owned())),
            Some((_, uri)) => Ok((Some(uri.clone()), local.to_owned())),
            None if prefix.is_empty() => Ok((None, local.to_owned())),
            None => Err(format!("prefisso «{prefix}» non dichiarato in «{qname}»")),
        }
    }
}

/// Whether `c` is allowed by XML 1.0's `Char` production (Rust strings hold no surrogates).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

fn check_chars(s: &str) -> Result<(), String> {
    match s.chars().find(|c| !is_xml_char(*c)) {
        Some(c) => Err(format!(
            "carattere U+{:04X} non ammesso in un documento XML",
            u32::from(c)
        )),
        None => Ok(()),
    }
}

/// Reads `input` (UTF-8, a leading byte-order mark is skipped) into its root element.
pub(crate) fn parse(input: &str, allow_doctype: bool) -> Result<Element, String> {
    let input = input.strip_prefix('\u{FEFF}').unwrap_or(input);
    let mut reader = Reader::from_str(input);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let at = |reader: &Reader<&[u8]>| format!("(posizione {})", reader.buffer_position());
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("XML non ben formato {}: {e}", at(&reader)))?;
        match event {
            Event::Start(start) => {
                let el = open(&start, stack.last().map(|p| &p.scope))?;
                if stack.is_empty() && root.is_some() {
                    return Err("XML non ben formato: più di un elemento radice".into());
                }
                stack.push(el);
            }
            Event::Empty(start) => {
                let el = open(&start, stack.last().map(|p| &p.scope))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(el)),
                    None if root.is_none() => root = Some(el),
                    None => return Err("XML non ben formato: più di un elemento radice".into()),
                }
            }
            Event::End(_) => {
                let el = stack
                    .pop()
                    .ok_or_else(|| format!("XML non ben formato {}", at(&reader)))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(el)),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => push_text(&mut stack, &t.xml10_content())?,
            Event::CData(t) => push_text(&mut stack, &t.xml10_content())?,
            Event::GeneralRef(r) => {
                let text = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => match &*r {
                        "lt" => "<".to_owned(),
                        "gt" => ">".to_owned(),
                        "amp" => "&".to_owned(),
                        "apos" => "'".to_owned(),
                        "quot" => "\"".to_owned(),
                        other => return Err(format!("entità «&{other};» non definita")),
                    },
                    Err(e) => return Err(format!("riferimento a carattere non valido: {e}")),
                };
                push_text(&mut stack, &text)?;
            }
            Event::DocType(_) => {
                if !allow_doctype || root.is_some() || !stack.is_empty() {
                    return Err("dichiarazione DOCTYPE non ammessa".into());
                }
            }
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err("XML non ben formato: elementi non chiusi".into());
    }
    root.ok_or_else(|| "XML vuoto: manca l'elemento radice".to_owned())
}

fn push_text(stack: &mut [Element], text: &str) -> Result<(), String> {
    check_chars(text)?;
    match stack.last_mut() {
        Some(parent) => {
            if let Some(Node::Text(prev)) = parent.children.last_mut() {
                prev.push_str(text);
            } else {
                parent.children.push(Node::Text(text.to_owned()));
            }
            Ok(())
        }
        None if text.chars().all(|c| matches!(c, ' ' | '\t' | '\n' | '\r')) => Ok(()),
        None => Err("XML non ben formato: testo fuori dall'elemento radice".into()),
    }
}

/// Builds an element from its start tag: namespace declarations first, then names.
fn open(start: &BytesStart, parent: Option<&Rc<Vec<Binding>>>) -> Result<Element, String> {
    let mut declared: Vec<Binding> = Vec::new();
    let mut raw_attrs: Vec<(String, String)> = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| format!("attributo non valido: {e}"))?;
        let key = attr.key.into_inner().to_owned();
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| format!("valore di attributo non valido in «{key}»: {e}"))?
            .into_owned();
        check_chars(&value)?;
        if key == "xmlns" {
            declared.push((String::new(), value));
        } else if let Some(prefix) = key.strip_prefix("xmlns:") {
            if value.is_empty() {
                return Err(format!(
                    "il prefisso «{prefix}» non può essere dichiarato vuoto"
                ));
            }
            declared.push((prefix.to_owned(), value));
        } else {
            raw_attrs.push((key, value));
        }
    }
    let scope = match (parent, declared.is_empty()) {
        (Some(p), true) => Rc::clone(p),
        (p, _) => {
            let mut all = p.map(|p| p.as_ref().clone()).unwrap_or_default();
            all.extend(declared);
            Rc::new(all)
        }
    };
    let name = start.name().into_inner().to_owned();
    let mut el = Element {
        ns: None,
        local: String::new(),
        attrs: Vec::with_capacity(raw_attrs.len()),
        children: Vec::new(),
        scope,
    };
    let (ns, local) = el.resolve_qname(&name)?;
    el.ns = ns;
    el.local = local;
    for (key, value) in raw_attrs {
        // Unprefixed attributes are in no namespace, whatever the default namespace is.
        let (ns, local) = if key.contains(':') {
            el.resolve_qname(&key)?
        } else {
            (None, key)
        };
        if el.attrs.iter().any(|a| a.ns == ns && a.local == local) {
            return Err(format!("attributo «{local}» ripetuto"));
        }
        el.attrs.push(Attr { ns, local, value });
    }
    Ok(el)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn namespaces_and_entities() {
        let root = parse(
            "\u{FEFF}<?xml version=\"1.0\"?><p:a xmlns:p=\"urn:x\" k=\"1 &amp; 2\"><b>x&lt;y&#233;<![CDATA[<z>]]></b><p:c/></p:a>",
            false,
        )
        .unwrap();
        assert_eq!(root.ns.as_deref(), Some("urn:x"));
        assert_eq!(root.attr("k"), Some("1 & 2"));
        let b = root.child("b").unwrap();
        assert_eq!(b.ns, None);
        assert_eq!(b.text(), "x<yé<z>");
        assert_eq!(root.child("c").unwrap().ns.as_deref(), Some("urn:x"));
    }

    #[test]
    fn refuses_malformed() {
        assert!(parse("<a><b></a>", false).is_err());
        assert!(parse("<a/><b/>", false).is_err());
        assert!(parse("<a>&foo;</a>", false).is_err());
        assert!(parse("<!DOCTYPE a><a/>", false).is_err());
        assert!(parse("<a>\u{1}</a>", false).is_err());
        assert!(parse("<q:a/>", false).is_err());
        assert!(parse("", false).is_err());
        assert!(parse("<a x='1' x='2'/>", false).is_err());
    }
}
