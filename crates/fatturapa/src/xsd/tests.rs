//! The schema loader on small schemas: what it supports behaves as XSD says, what it does
//! not support fails to load.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

const HEAD: &str = r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns="urn:t" targetNamespace="urn:t""#;

fn schema(attrs: &str, body: &str) -> Result<Schema, String> {
    Schema::parse(&format!("{HEAD} {attrs}>{body}</xs:schema>"), &[])
}

fn errors(s: &Schema, xml: &str) -> Vec<String> {
    match s.validate(xml) {
        Ok(()) => Vec::new(),
        Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
    }
}

#[test]
fn the_vendored_schema_loads() {
    schema_loads().unwrap();
    let s = fatturapa_schema().as_ref().unwrap();
    assert!(s.elements.len() > 200, "{}", s.elements.len());
    assert!(s.complex.len() >= 40);
    // Without the xmldsig file the import cannot be resolved, and loading fails.
    assert!(Schema::parse(FATTURAPA_XSD, &[])
        .unwrap_err()
        .contains("xmldsig"));
}

#[test]
fn occurrences_choice_and_qualified_elements() {
    let s = schema(
        r#"elementFormDefault="qualified""#,
        r#"<xs:element name="r" type="R"/>
        <xs:complexType name="R"><xs:sequence>
          <xs:choice><xs:element name="a" type="xs:string"/>
            <xs:sequence><xs:element name="b" type="xs:string"/><xs:element name="c" type="xs:string"/></xs:sequence>
          </xs:choice>
          <xs:element name="d" type="xs:integer" minOccurs="2" maxOccurs="3"/>
          <xs:element ref="e" minOccurs="0"/>
        </xs:sequence></xs:complexType>
        <xs:element name="e"><xs:simpleType><xs:restriction base="xs:decimal">
          <xs:totalDigits value="4"/><xs:fractionDigits value="2"/><xs:minExclusive value="0"/>
        </xs:restriction></xs:simpleType></xs:element>"#,
    )
    .unwrap();
    let doc = |inner: &str| format!(r#"<r xmlns="urn:t">{inner}</r>"#);
    assert!(errors(&s, &doc("<a/><d>1</d><d>2</d>")).is_empty());
    assert!(errors(&s, &doc("<b/><c/><d>1</d><d>2</d><d>3</d><e>12.50</e>")).is_empty());
    let e = errors(&s, &doc("<a/><d>1</d>"));
    assert_eq!(e, ["/r: contenuto incompleto: manca «d»"]);
    assert_eq!(
        errors(&s, &doc("<a/><d>1</d><d>2</d><d>3</d><d>4</d>")),
        ["/r/d[4]: elemento «d» inatteso; atteso: «e»"]
    );
    assert_eq!(errors(&s, &doc("<b/><d>1</d><d>2</d>")).len(), 1);
    assert!(errors(&s, &doc("<a/><d>1</d><d>x</d>"))[0].contains("non è un numero intero"));
    assert!(errors(&s, &doc("<a/><d>1</d><d>2</d><e>123.45</e>"))[0].contains("più di 4 cifre"));
    assert!(errors(&s, &doc("<a/><d>1</d><d>2</d><e>1.255</e>"))[0].contains("cifre decimali"));
    assert!(errors(&s, &doc("<a/><d>1</d><d>2</d><e>0</e>"))[0].contains("maggiore di 0"));
    // Qualified: unqualified children are other elements.
    assert!(!errors(&s, r#"<r xmlns="urn:t"><a xmlns=""/><d>1</d><d>2</d></r>"#).is_empty());
}

#[test]
fn attributes_whitespace_and_derivation() {
    let s = schema(
        "",
        r#"<xs:element name="r" type="R"/>
        <xs:complexType name="R"><xs:sequence>
          <xs:element name="t" type="T" maxOccurs="unbounded"/>
        </xs:sequence>
          <xs:attribute name="v" type="xs:string" use="required" fixed="1.0"/>
          <xs:attribute name="o" type="xs:boolean"/>
        </xs:complexType>
        <xs:simpleType name="Base"><xs:restriction base="xs:token">
          <xs:pattern value="[a-z ]+"/><xs:pattern value="[0-9]+"/>
        </xs:restriction></xs:simpleType>
        <xs:simpleType name="T"><xs:restriction base="Base">
          <xs:maxLength value="5"/><xs:pattern value=".*a.*|[0-9]+"/>
        </xs:restriction></xs:simpleType>"#,
    )
    .unwrap();
    let ok = r#"<p:r xmlns:p="urn:t" v="1.0" o="true"><t>  b   a </t><t>123</t></p:r>"#;
    assert!(errors(&s, ok).is_empty(), "{:?}", errors(&s, ok));
    // Patterns of one step are alternatives; every step applies.
    assert_eq!(
        errors(&s, r#"<p:r xmlns:p="urn:t" v="1.0"><t>bcd</t></p:r>"#).len(),
        1
    );
    assert_eq!(
        errors(&s, r#"<p:r xmlns:p="urn:t" v="1.0"><t>abcdef</t></p:r>"#).len(),
        1
    );
    assert_eq!(
        errors(&s, r#"<p:r xmlns:p="urn:t" v="1.0"><t>A</t></p:r>"#).len(),
        1
    );
    assert_eq!(
        errors(&s, r#"<p:r xmlns:p="urn:t" v="2.0"><t>a</t></p:r>"#),
        ["/r/@v: il valore deve essere «1.0»"]
    );
    assert_eq!(
        errors(&s, r#"<p:r xmlns:p="urn:t"><t>a</t></p:r>"#),
        ["/r: manca l'attributo obbligatorio «v»"]
    );
    assert_eq!(
        errors(&s, r#"<p:r xmlns:p="urn:t" v="1.0" o="si"><t>a</t></p:r>"#).len(),
        1
    );
    assert_eq!(
        errors(
            &s,
            r#"<p:r xmlns:p="urn:t" v="1.0" p:v="1.0"><t>a</t></p:r>"#
        )
        .len(),
        1
    );
    let xsi = r#"xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance""#;
    assert!(errors(
        &s,
        &format!(
            r#"<p:r xmlns:p="urn:t" {xsi} xsi:schemaLocation="urn:t t.xsd" v="1.0"><t>a</t></p:r>"#
        )
    )
    .is_empty());
    assert_eq!(
        errors(
            &s,
            &format!(r#"<p:r xmlns:p="urn:t" {xsi} xsi:nil="true" v="1.0"><t>a</t></p:r>"#)
        )
        .len(),
        1
    );
    assert_eq!(errors(&s, r#"<r v="1.0"><t>a</t></r>"#).len(), 1);
}

#[test]
fn unsupported_constructs_fail_loudly() {
    let cases = [
        r#"<xs:complexType name="C"><xs:all><xs:element name="a" type="xs:string"/></xs:all></xs:complexType>"#,
        r#"<xs:complexType name="C"><xs:sequence><xs:any/></xs:sequence></xs:complexType>"#,
        r#"<xs:complexType name="C"><xs:sequence><xs:group ref="G"/></xs:sequence></xs:complexType>"#,
        r#"<xs:complexType name="C" mixed="true"><xs:sequence/></xs:complexType>"#,
        r#"<xs:complexType name="C"><xs:simpleContent><xs:extension base="xs:string"/></xs:simpleContent></xs:complexType>"#,
        r#"<xs:complexType name="C"><xs:complexContent><xs:extension base="C"/></xs:complexContent></xs:complexType>"#,
        r#"<xs:complexType name="C"><xs:attributeGroup ref="A"/></xs:complexType>"#,
        r#"<xs:complexType name="C"><xs:anyAttribute/></xs:complexType>"#,
        r#"<xs:complexType name="C"><xs:sequence><xs:element name="a" type="xs:string" nillable="true"/></xs:sequence></xs:complexType>"#,
        r#"<xs:complexType name="C"><xs:sequence><xs:element name="a" type="xs:string" fixed="x"/></xs:sequence></xs:complexType>"#,
        r#"<xs:complexType name="C"><xs:sequence><xs:element name="a"/></xs:sequence></xs:complexType>"#,
        r#"<xs:complexType name="C"><xs:sequence><xs:element name="a" type="xs:anyURI"/></xs:sequence></xs:complexType>"#,
        r#"<xs:simpleType name="S"><xs:list itemType="xs:string"/></xs:simpleType>"#,
        r#"<xs:simpleType name="S"><xs:union memberTypes="xs:string"/></xs:simpleType>"#,
        r#"<xs:simpleType name="S"><xs:restriction base="xs:string"><xs:pattern value="\i+"/></xs:restriction></xs:simpleType>"#,
        r#"<xs:simpleType name="S"><xs:restriction base="xs:string"><xs:pattern value="\p{IsGreek}"/></xs:restriction></xs:simpleType>"#,
        r#"<xs:simpleType name="S"><xs:restriction base="xs:string"><xs:assertion test="true()"/></xs:restriction></xs:simpleType>"#,
        r#"<xs:simpleType name="S"><xs:restriction base="xs:string"><xs:maxInclusive value="3"/></xs:restriction></xs:simpleType>"#,
        r#"<xs:simpleType name="S"><xs:restriction base="xs:decimal"><xs:maxLength value="3"/></xs:restriction></xs:simpleType>"#,
        r#"<xs:simpleType name="S"><xs:restriction base="xs:string"><xs:length value="2"/><xs:length value="3"/></xs:restriction></xs:simpleType>"#,
        r#"<xs:simpleType name="S"><xs:restriction base="xs:token"><xs:whiteSpace value="preserve"/></xs:restriction></xs:simpleType>"#,
        r#"<xs:simpleType name="S"><xs:restriction base="S"/></xs:simpleType>"#,
        r#"<xs:simpleType name="S"><xs:restriction base="Missing"/></xs:simpleType>"#,
        r#"<xs:include schemaLocation="x.xsd"/>"#,
        r#"<xs:import namespace="urn:x" schemaLocation="x.xsd"/>"#,
        r#"<xs:attribute name="g" type="xs:string"/>"#,
        r#"<xs:element name="e" type="xs:string"><xs:key name="k"><xs:selector xpath="."/><xs:field xpath="."/></xs:key></xs:element>"#,
        r#"<xs:element name="e" type="xs:string" abstract="true"/>"#,
        r#"<xs:element name="e" type="xs:string" substitutionGroup="f"/>"#,
        r#"<xs:complexType name="C"><xs:attribute ref="xml:lang"/></xs:complexType>"#,
        r#"<xs:complexType name="C"><xs:sequence><xs:element name="a" type="xs:string" maxOccurs="300000"/></xs:sequence></xs:complexType>"#,
        r#"<xs:complexType name="C">text</xs:complexType>"#,
    ];
    for body in cases {
        assert!(schema("", body).is_err(), "loaded: {body}");
    }
    assert!(schema(r##"blockDefault="#all""##, "").is_err());
    assert!(Schema::parse("<schema/>", &[]).is_err());
}
