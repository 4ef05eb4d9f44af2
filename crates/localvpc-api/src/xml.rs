//! The one XML writer every response goes through: `<fooSet><item>` lists, escaping, the EC2 envelopes.

use std::fmt::Display;

use localvpc_model::Tags;

/// EC2's response namespace (spec §1.3).
pub const EC2_NAMESPACE: &str = "http://ec2.amazonaws.com/doc/2016-11-15/";

/// An XML fragment under construction.
#[derive(Debug, Default)]
pub struct Xml {
    out: String,
}

impl Xml {
    /// An empty fragment.
    pub fn new() -> Self {
        Xml { out: String::with_capacity(4096) }
    }

    /// The start of an EC2 answer — `<?xml …?><{Action}Response xmlns=…><requestId>…</requestId>` — for the
    /// handler to write its body after; [`Xml::into_ec2_answer`] closes it. Written in place, so a large body (a
    /// DescribeInstances of thousands) is never copied into an envelope afterwards.
    pub fn ec2_envelope(action: &str, request_id: &str) -> Self {
        let mut x = Xml::new();
        x.out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<");
        x.out.push_str(action);
        x.out.push_str("Response xmlns=\"");
        x.out.push_str(EC2_NAMESPACE);
        x.out.push_str("\"><requestId>");
        x.out.push_str(request_id);
        x.out.push_str("</requestId>");
        x
    }

    /// The whole answer begun by [`Xml::ec2_envelope`].
    pub fn into_ec2_answer(mut self, action: &str) -> String {
        self.out.push_str("</");
        self.out.push_str(action);
        self.out.push_str("Response>");
        self.out
    }

    /// Room for `additional` more bytes: a handler that knows its answer is large says so once, instead of the
    /// buffer doubling (and copying) its way there.
    pub fn reserve(&mut self, additional: usize) {
        self.out.reserve(additional);
    }

    /// `<tag>`.
    pub fn open(&mut self, tag: &str) -> &mut Self {
        self.out.push('<');
        self.out.push_str(tag);
        self.out.push('>');
        self
    }

    /// `</tag>`.
    pub fn close(&mut self, tag: &str) -> &mut Self {
        self.out.push_str("</");
        self.out.push_str(tag);
        self.out.push('>');
        self
    }

    /// `<tag>escaped text</tag>`.
    pub fn text(&mut self, tag: &str, value: &str) -> &mut Self {
        self.open(tag);
        self.out.push_str(&escape(value));
        self.close(tag)
    }

    /// `<tag>value</tag>` for numbers, booleans and other values whose text needs no escaping.
    pub fn value(&mut self, tag: &str, value: impl Display) -> &mut Self {
        use std::fmt::Write;
        self.open(tag);
        write!(self.out, "{value}").expect("writing to a String cannot fail");
        self.close(tag)
    }

    /// `<tag>value</tag>` if present; nothing otherwise.
    pub fn optional_value(&mut self, tag: &str, value: Option<impl Display>) -> &mut Self {
        if let Some(value) = value {
            self.value(tag, value);
        }
        self
    }

    /// `<tag>text</tag>` if present; nothing otherwise.
    pub fn optional(&mut self, tag: &str, value: Option<&str>) -> &mut Self {
        if let Some(value) = value {
            self.text(tag, value);
        }
        self
    }

    /// `<tag><child/>…</tag>`: a nested structure.
    pub fn nested(&mut self, tag: &str, body: impl FnOnce(&mut Xml)) -> &mut Self {
        self.open(tag);
        body(self);
        self.close(tag)
    }

    /// `<tag><item>…</item>…</tag>`, or `<tag/>` when empty.
    pub fn list<I: IntoIterator>(&mut self, tag: &str, items: I, mut each: impl FnMut(&mut Xml, I::Item)) -> &mut Self {
        let mut items = items.into_iter().peekable();
        if items.peek().is_none() {
            self.out.push('<');
            self.out.push_str(tag);
            self.out.push_str("/>");
            return self;
        }
        self.open(tag);
        for item in items {
            self.open("item");
            each(self, item);
            self.close("item");
        }
        self.close(tag)
    }

    /// `<tag><item>text</item>…</tag>`, or `<tag/>` when empty: a list of plain strings (`ValueStringList`).
    pub fn string_list<'a>(&mut self, tag: &str, items: impl IntoIterator<Item = &'a String>) -> &mut Self {
        self.list(tag, items, |x, item| x.out.push_str(&escape(item)))
    }

    /// `<tagSet>` with `<key>`/`<value>` items.
    pub fn tag_set(&mut self, tags: &Tags) -> &mut Self {
        self.list("tagSet", tags.iter(), |x, tag| {
            x.text("key", &tag.key).text("value", &tag.value);
        })
    }

    /// `<tagSet>` only when there are tags. Real EC2 answers (recorded DescribeVpcs, DescribeSubnets,
    /// DescribeSecurityGroups, DescribeInstances, DescribeAddresses, DescribeVolumes responses) leave the element out
    /// of an untagged resource, while IGWs, route tables, network ACLs, ENIs, key pairs and peering connections
    /// always carry it; each renderer picks the form its resource has on AWS.
    pub fn tag_set_if_any(&mut self, tags: &Tags) -> &mut Self {
        if tags.iter().next().is_some() {
            self.tag_set(tags);
        }
        self
    }

    /// Escaped text with no element around it (a list item that is a plain value).
    pub fn content(&mut self, value: &str) -> &mut Self {
        self.out.push_str(&escape(value));
        self
    }

    /// Text that is already XML (a cached rendering), as is.
    pub fn raw(&mut self, xml: &str) -> &mut Self {
        self.out.push_str(xml);
        self
    }

    /// The text so far.
    pub fn as_str(&self) -> &str {
        &self.out
    }

    /// The text, without a copy.
    pub fn into_string(self) -> String {
        self.out
    }
}

/// `<Response><Errors><Error><Code>…` with `RequestID` (capital D), spec §1.4.
pub fn ec2_error(code: &str, message: &str, request_id: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{}</Code><Message>{}</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>",
        escape(code),
        escape(message)
    )
}

/// Escapes `<`, `>` and `&`, and replaces characters XML 1.0 cannot carry (control characters a client may have
/// sent, which error messages echo) with U+FFFD, so every body stays parseable.
fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    // Fast path: IDs, CIDRs, states and names are plain printable ASCII with nothing to escape.
    if text.bytes().all(|b| (0x20..0x7f).contains(&b) && !matches!(b, b'<' | b'>' | b'&')) {
        return std::borrow::Cow::Borrowed(text);
    }
    let allowed = |c: char| matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}');
    if text.chars().all(allowed) {
        return quick_xml::escape::partial_escape(text);
    }
    let cleaned: String = text.chars().map(|c| if allowed(c) { c } else { '\u{FFFD}' }).collect();
    std::borrow::Cow::Owned(quick_xml::escape::partial_escape(&cleaned).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use localvpc_model::Tag;

    #[test]
    fn string_lists_are_items_of_escaped_text() {
        let mut x = Xml::new();
        x.string_list("cidrSet", &["10.0.0.0/16".to_string(), "a<b".to_string()]).string_list("emptySet", &[]);
        assert_eq!(x.as_str(), "<cidrSet><item>10.0.0.0/16</item><item>a&lt;b</item></cidrSet><emptySet/>");
    }

    #[test]
    fn control_characters_never_reach_the_xml() {
        let body = ec2_error("InvalidParameterValue", "Value (\u{0}\u{1}) is bad", "r");
        assert!(body.contains("Value (\u{FFFD}\u{FFFD}) is bad"), "{body}");
    }

    #[test]
    fn lists_escaping_and_envelopes() {
        let mut x = Xml::ec2_envelope("DescribeVpcs", "req-1");
        x.list("vpcSet", ["a<b", "c"], |x, id| {
            x.text("vpcId", id);
        });
        x.list("emptySet", Vec::<u8>::new(), |_, _| {});
        x.tag_set(&Tags(vec![Tag { key: "Name".into(), value: "A&B".into() }]));
        insta::assert_snapshot!(x.into_ec2_answer("DescribeVpcs"), @r#"
        <?xml version="1.0" encoding="UTF-8"?>
        <DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>req-1</requestId><vpcSet><item><vpcId>a&lt;b</vpcId></item><item><vpcId>c</vpcId></item></vpcSet><emptySet/><tagSet><item><key>Name</key><value>A&amp;B</value></item></tagSet></DescribeVpcsResponse>
        "#);
        insta::assert_snapshot!(ec2_error("InvalidVpcID.NotFound", "The vpc ID 'vpc-1' does not exist", "req-2"), @r#"
        <?xml version="1.0" encoding="UTF-8"?>
        <Response><Errors><Error><Code>InvalidVpcID.NotFound</Code><Message>The vpc ID 'vpc-1' does not exist</Message></Error></Errors><RequestID>req-2</RequestID></Response>
        "#);
    }
}
