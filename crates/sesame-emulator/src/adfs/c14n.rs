//! Exclusive XML Canonicalization 1.0 without comments (`http://www.w3.org/2001/10/xml-exc-c14n#`)
//! of an element subtree of a parsed document, as XML-DSig signs and verifies it.
//!
//! The rules (W3C "Canonical XML 1.0" §2 and "Exclusive XML Canonicalization 1.0" §3):
//! - elements as start and end tags (never self-closing), with the qualified names of the source;
//! - a namespace declaration is output on an element only where its prefix is *visibly utilized*
//!   there (the element's own prefix or the default namespace of an unprefixed element, and its
//!   prefixed attributes' prefixes) or is named in the `InclusiveNamespaces` prefix list, and only
//!   if the nearest output ancestor did not already output the same binding; `xmlns=""` only to
//!   undo an output default namespace; declarations sorted by prefix, the default one first;
//! - attributes sorted by namespace URI (none first), then local name, in double quotes;
//! - text escaped `&amp;` `&lt;` `&gt;` `&#xD;`; attribute values `&amp;` `&lt;` `&quot;`
//!   `&#x9;` `&#xA;` `&#xD;`; comments dropped; processing instructions kept;
//! - the subtree's ancestors output nothing (the apex starts with no namespace in effect), and
//!   one subtree may be left out (the enveloped-signature transform).
//!
//! The parser (roxmltree) has already done what canonical XML asks of it: line ends normalised,
//! attribute values normalised, character and entity references replaced, CDATA sections made
//! text. Documents with a DTD are refused before they get here.

use std::collections::BTreeMap;

use roxmltree::{Node, NodeId, NodeType};

const XML_PREFIX: &str = "xml";

/// The exclusive canonical form of `apex` and its descendants, without `omit`'s subtree;
/// `inclusive` is the `InclusiveNamespaces` prefix list (`#default` for the default namespace).
pub(crate) fn exclusive(apex: Node<'_, '_>, omit: Option<NodeId>, inclusive: &[&str]) -> String {
    let mut out = String::new();
    element(apex, omit, inclusive, &BTreeMap::new(), &mut out);
    out
}

/// The prefix of a qualified name as written (`""` for none).
fn prefix_of(qname: &str) -> &str {
    qname.split_once(':').map_or("", |(p, _)| p)
}

/// An element's qualified name as written in the source.
fn qname<'i>(node: Node<'_, 'i>) -> &'i str {
    let input = node.document().input_text();
    let rest = &input[node.range().start + 1..];
    let end = rest
        .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
        .unwrap_or(rest.len());
    &rest[..end]
}

/// The namespace URI `prefix` (`""`: the default namespace) is bound to at `node` (`""` if none).
fn uri_of<'a>(node: Node<'a, '_>, prefix: &str) -> &'a str {
    if prefix.is_empty() {
        node.namespaces()
            .find(|ns| ns.name().is_none())
            .map_or("", |ns| ns.uri())
    } else {
        node.namespaces()
            .find(|ns| ns.name() == Some(prefix))
            .map_or("", |ns| ns.uri())
    }
}

fn element(
    node: Node<'_, '_>,
    omit: Option<NodeId>,
    inclusive: &[&str],
    rendered: &BTreeMap<String, String>,
    out: &mut String,
) {
    let input = node.document().input_text();
    let name = qname(node);

    // The prefixes this element needs declared: visibly utilized ones and the inclusive list.
    let mut needed: Vec<&str> = vec![prefix_of(name)];
    for attr in node.attributes() {
        let p = prefix_of(&input[attr.range_qname()]);
        if !p.is_empty() {
            needed.push(p);
        }
    }
    for p in inclusive {
        let p = if *p == "#default" { "" } else { *p };
        // Inclusive prefixes are output only where they are in scope.
        let in_scope = node
            .namespaces()
            .any(|ns| ns.name().unwrap_or_default() == p);
        if in_scope {
            needed.push(p);
        }
    }
    let mut declared = rendered.clone();
    let mut declarations = BTreeMap::new();
    for p in needed {
        if p == XML_PREFIX {
            continue;
        }
        let uri = uri_of(node, p);
        let current = rendered.get(p).map_or("", String::as_str);
        if current != uri {
            declarations.insert(p.to_owned(), uri.to_owned());
            declared.insert(p.to_owned(), uri.to_owned());
        }
    }

    out.push('<');
    out.push_str(name);
    for (prefix, uri) in &declarations {
        if prefix.is_empty() {
            out.push_str(" xmlns=\"");
        } else {
            out.push_str(" xmlns:");
            out.push_str(prefix);
            out.push_str("=\"");
        }
        escape_attribute(uri, out);
        out.push('"');
    }
    let mut attributes: Vec<_> = node.attributes().collect();
    attributes.sort_by(|a, b| {
        (a.namespace().unwrap_or_default(), a.name())
            .cmp(&(b.namespace().unwrap_or_default(), b.name()))
    });
    for attr in attributes {
        out.push(' ');
        out.push_str(&input[attr.range_qname()]);
        out.push_str("=\"");
        escape_attribute(attr.value(), out);
        out.push('"');
    }
    out.push('>');

    for child in node.children() {
        match child.node_type() {
            NodeType::Element if Some(child.id()) == omit => {}
            NodeType::Element => element(child, omit, inclusive, &declared, out),
            NodeType::Text => escape_text(child.text().unwrap_or_default(), out),
            NodeType::PI => {
                if let Some(pi) = child.pi() {
                    out.push_str("<?");
                    out.push_str(pi.target);
                    if let Some(value) = pi.value.filter(|v| !v.is_empty()) {
                        out.push(' ');
                        out.push_str(value);
                    }
                    out.push_str("?>");
                }
            }
            NodeType::Comment | NodeType::Root => {}
        }
    }

    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

fn escape_text(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

fn escape_attribute(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use roxmltree::Document;

    use super::exclusive;

    fn c14n_of(xml: &str, id: &str) -> String {
        let doc = Document::parse(xml).unwrap();
        let node = doc
            .descendants()
            .find(|n| n.attribute("ID") == Some(id))
            .unwrap();
        exclusive(node, None, &[])
    }

    #[test]
    fn only_visibly_utilized_namespaces_are_output_at_the_apex() {
        let xml = r#"<p:R xmlns:p="urn:p" xmlns:q="urn:q" xmlns="urn:d"><A ID="a" q:z="1" b='x' a="y"/></p:R>"#;
        assert_eq!(
            c14n_of(xml, "a"),
            r#"<A xmlns="urn:d" xmlns:q="urn:q" ID="a" a="y" b="x" q:z="1"></A>"#
        );
    }

    #[test]
    fn declarations_already_in_effect_are_not_repeated_and_defaults_can_be_undone() {
        let xml = r#"<A ID="a" xmlns="urn:d" xmlns:ds="urn:ds"><ds:S><ds:T xmlns:ds="urn:ds"/></ds:S><B><C xmlns=""/></B><ds:U xmlns:ds="urn:other"/></A>"#;
        assert_eq!(
            c14n_of(xml, "a"),
            r#"<A xmlns="urn:d" ID="a"><ds:S xmlns:ds="urn:ds"><ds:T></ds:T></ds:S><B><C xmlns=""></C></B><ds:U xmlns:ds="urn:other"></ds:U></A>"#
        );
    }

    #[test]
    fn text_and_attributes_are_escaped_and_comments_dropped() {
        let xml = "<A ID=\"a\" v=\"&lt;&amp;&quot;'&#9;&#10;&#13;>\"><!-- c -->x &amp; &lt;y&gt; &#13;<![CDATA[<z>]]><?pi  data?></A>";
        assert_eq!(
            c14n_of(xml, "a"),
            "<A ID=\"a\" v=\"&lt;&amp;&quot;'&#x9;&#xA;&#xD;>\">x &amp; &lt;y&gt; &#xD;&lt;z&gt;<?pi data?></A>"
        );
    }

    #[test]
    fn attributes_sort_by_namespace_uri_before_local_name() {
        let xml = r#"<A xmlns:b="urn:a" xmlns:a="urn:b" ID="a" a:x="1" b:y="2" z="3"/>"#;
        assert_eq!(
            c14n_of(xml, "a"),
            r#"<A xmlns:a="urn:b" xmlns:b="urn:a" ID="a" z="3" b:y="2" a:x="1"></A>"#
        );
    }
}
