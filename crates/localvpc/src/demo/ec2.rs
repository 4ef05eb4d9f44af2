//! The demo's EC2 Query client: a form POST per action, as the aws CLI sends it, and a small element tree of the
//! XML answer to read values from (`doc.text("vpc/vpcId")`).
//!
//! Like `client.rs`, it sends the caller's account and region in a SigV4 credential scope without signing (the server
//! reads the scope and checks no signature). An EC2 error answer (`<Response><Errors><Error>…`) becomes an
//! [`ApiError`] carrying AWS's code and message.

use std::fmt;
use std::time::Duration;

use anyhow::{anyhow, Context};
use quick_xml::events::Event;
use quick_xml::Reader;

use crate::calendar::UtcTime;

/// The EC2 API version every request names (spec §1.1).
const VERSION: &str = "2016-11-15";

/// An EC2 error answer: AWS's code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The action that failed.
    pub action: String,
    /// `InvalidVpcID.NotFound`, …
    pub code: String,
    /// AWS's message.
    pub message: String,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed: {}: {}", self.action, self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

/// One XML element: its local name, its text, and its child elements in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    /// The local name (no namespace prefix).
    pub name: String,
    /// The element's own text (unescaped, trimmed).
    pub text: String,
    /// The child elements.
    pub children: Vec<Element>,
}

impl Element {
    /// Parses a document; the root element is returned.
    pub fn parse(xml: &str) -> anyhow::Result<Element> {
        let mut reader = Reader::from_str(xml);
        reader.config_mut().trim_text(true);
        let mut stack: Vec<Element> = Vec::new();
        loop {
            let event = reader.read_event().with_context(|| format!("malformed XML at {}", reader.error_position()))?;
            match event {
                Event::Start(start) => {
                    let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                    stack.push(Element { name, ..Element::default() });
                }
                Event::Empty(empty) => {
                    let name = String::from_utf8_lossy(empty.local_name().as_ref()).into_owned();
                    let element = Element { name, ..Element::default() };
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(element),
                        None => return Ok(element),
                    }
                }
                Event::Text(text) => {
                    if let Some(current) = stack.last_mut() {
                        current.text.push_str(&text.unescape().context("bad XML escape")?);
                    }
                }
                Event::CData(data) => {
                    if let Some(current) = stack.last_mut() {
                        current.text.push_str(&String::from_utf8_lossy(&data));
                    }
                }
                Event::End(_) => {
                    let element = stack.pop().ok_or_else(|| anyhow!("unbalanced XML end tag"))?;
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(element),
                        None => return Ok(element),
                    }
                }
                Event::Eof => return Err(anyhow!("the XML document ended before its root element closed")),
                _ => {}
            }
        }
    }

    /// The first element down `path` (`a/b/c`, each step the first child of that name).
    pub fn find(&self, path: &str) -> Option<&Element> {
        path.split('/')
            .filter(|step| !step.is_empty())
            .try_fold(self, |element, step| element.children.iter().find(|child| child.name == step))
    }

    /// Every element down `path` (each step may branch: `routeTableSet/item/routeSet/item`).
    pub fn all(&self, path: &str) -> Vec<&Element> {
        let mut found = vec![self];
        for step in path.split('/').filter(|step| !step.is_empty()) {
            found = found.into_iter().flat_map(|element| element.children.iter()).filter(|c| c.name == step).collect();
        }
        found
    }

    /// The text of the element down `path`; an error names the missing path.
    pub fn text(&self, path: &str) -> anyhow::Result<&str> {
        self.find(path)
            .map(|element| element.text.as_str())
            .ok_or_else(|| anyhow!("the <{}> answer has no {path}", self.name))
    }
}

/// An EC2 Query client for one account and region.
pub struct Ec2 {
    http: reqwest::blocking::Client,
    endpoint: String,
    authorization: String,
}

impl Ec2 {
    /// A client for `endpoint` calling as `access_key` in `region`.
    pub fn new(endpoint: &str, access_key: &str, region: &str) -> anyhow::Result<Ec2> {
        let http = reqwest::blocking::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(60))
            .build()
            .context("while setting up the HTTP client")?;
        let date = UtcTime::now().scope_date();
        let authorization = format!(
            "AWS4-HMAC-SHA256 Credential={access_key}/{date}/{region}/ec2/aws4_request, SignedHeaders=host, Signature=0"
        );
        Ok(Ec2 { http, endpoint: endpoint.trim_end_matches('/').to_string(), authorization })
    }

    /// Sends `Action=action&Version=…&params…`; the answer's root element, or an [`ApiError`] for an EC2 error.
    pub fn call(&self, action: &str, params: &[(&str, &str)]) -> anyhow::Result<Element> {
        let form = form(action, params);
        let response = self
            .http
            .post(format!("{}/", self.endpoint))
            .header(reqwest::header::AUTHORIZATION, &self.authorization)
            .form(&form)
            .send()
            .with_context(|| format!("cannot reach the demo server at {}", self.endpoint))?;
        let status = response.status();
        let body = response.text().with_context(|| format!("while reading the answer to {action}"))?;
        let document = Element::parse(&body).with_context(|| format!("the answer to {action} (HTTP {status})"))?;
        if let Some(error) = api_error(action, &document) {
            return Err(error.into());
        }
        if !status.is_success() {
            return Err(anyhow!("{action} answered HTTP {status}: {}", body.trim()));
        }
        Ok(document)
    }
}

/// The form fields of a request, in order.
fn form<'a>(action: &'a str, params: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![("Action", action), ("Version", VERSION)];
    form.extend_from_slice(params);
    form
}

/// The EC2 error of an error envelope (`<Response><Errors><Error><Code>…`), if `document` is one.
fn api_error(action: &str, document: &Element) -> Option<ApiError> {
    if document.name != "Response" {
        return None;
    }
    let error = document.find("Errors/Error")?;
    let field = |name: &str| error.find(name).map(|element| element.text.clone()).unwrap_or_default();
    Some(ApiError { action: action.to_string(), code: field("Code"), message: field("Message") })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CREATE_VPC: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
        <CreateVpcResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r-1</requestId>\
        <vpc><vpcId>vpc-1</vpcId><cidrBlock>10.6.0.0/16</cidrBlock><ipv6CidrBlockAssociationSet/>\
        <tagSet><item><key>Name</key><value>A&amp;B</value></item><item><key>k</key><value/></item></tagSet>\
        </vpc></CreateVpcResponse>";

    #[test]
    fn paths_texts_and_lists() {
        let document = Element::parse(CREATE_VPC).unwrap();
        assert_eq!(document.name, "CreateVpcResponse");
        assert_eq!(document.text("vpc/vpcId").unwrap(), "vpc-1");
        assert_eq!(document.text("vpc/tagSet/item/value").unwrap(), "A&B");
        let values: Vec<&str> = document.all("vpc/tagSet/item/value").iter().map(|e| e.text.as_str()).collect();
        assert_eq!(values, ["A&B", ""]);
        assert_eq!(document.text("vpc/ipv6CidrBlockAssociationSet").unwrap(), "");
        let missing = document.text("vpc/subnetId").unwrap_err().to_string();
        assert_eq!(missing, "the <CreateVpcResponse> answer has no vpc/subnetId");
        assert!(api_error("CreateVpc", &document).is_none());
    }

    #[test]
    fn error_envelopes() {
        let document = Element::parse(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>InvalidVpcID.NotFound</Code>\
             <Message>The vpc ID 'vpc-1' does not exist</Message></Error></Errors><RequestID>r</RequestID></Response>",
        )
        .unwrap();
        let error = api_error("CreateSubnet", &document).unwrap();
        assert_eq!(error.code, "InvalidVpcID.NotFound");
        assert_eq!(error.to_string(), "CreateSubnet failed: InvalidVpcID.NotFound: The vpc ID 'vpc-1' does not exist");
    }

    #[test]
    fn malformed_documents() {
        assert!(Element::parse("<a><b></a>").is_err());
        assert!(Element::parse("<a>").is_err());
        assert_eq!(Element::parse("<a/>").unwrap().name, "a");
    }

    #[test]
    fn the_form_starts_with_action_and_version() {
        assert_eq!(
            form("CreateVpc", &[("CidrBlock", "10.6.0.0/16")]),
            [("Action", "CreateVpc"), ("Version", "2016-11-15"), ("CidrBlock", "10.6.0.0/16")]
        );
    }
}
