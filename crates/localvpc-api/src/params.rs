//! Query parameters: the raw `Name=value` pairs of an EC2 Query request and the typed readers over them.
//!
//! Stage one of parsing (STYLE: two stages): this module knows the *encoding* — flattened 1-based lists
//! (`VpcId.1`), dotted structures (`EnableDnsHostnames.Value`), `Filter.N.Name/Value.M`,
//! `TagSpecification.N.Tag.M.Key` — and turns it into plain values. Handlers turn those into model requests.

use std::collections::BTreeMap;

use localvpc_model::{Ec2Error, Filter, PageRequest, Tag};

/// The parameters of one request, from the query string and the form body together.
#[derive(Debug, Clone, Default)]
pub struct Params {
    map: BTreeMap<String, String>,
    /// Where these parameters sit in the request when they are one member of a list of structures (`Filter.2.`);
    /// empty at the top. Errors name the whole parameter as the client spelled it.
    path: String,
}

type Result<T> = std::result::Result<T, Ec2Error>;

impl Params {
    /// Parses `application/x-www-form-urlencoded` text, adding to what is there (the body after the query).
    pub fn extend_from_urlencoded(&mut self, text: &[u8]) {
        for (key, value) in form_urlencoded::parse(text) {
            self.map.insert(key.into_owned(), value.into_owned());
        }
    }

    /// Builds parameters from pairs (tests).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Params { map: pairs.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(), path: String::new() }
    }

    /// A parameter's value, if present.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.map.get(key).map(String::as_str)
    }

    /// A required parameter: absent → `MissingParameter`.
    pub fn required(&self, key: &str) -> Result<&str> {
        self.get(key).ok_or_else(|| Ec2Error::MissingParameter(key.to_string()))
    }

    /// A boolean (`true`/`false`, any case).
    pub fn bool(&self, key: &str) -> Result<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(value) if value.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(value) if value.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(value) => Err(Ec2Error::InvalidParameterValue(format!(
                "Value ({value}) for parameter {key} is invalid. Expected: 'true' or 'false'."
            ))),
        }
    }

    /// A decimal integer.
    pub fn int(&self, key: &str) -> Result<Option<i64>> {
        match self.get(key) {
            None => Ok(None),
            Some(value) => value.trim().parse::<i64>().map(Some).map_err(|_| {
                Ec2Error::InvalidParameterValue(format!(
                    "Value ({value}) for parameter {key} is invalid. Expected an integer."
                ))
            }),
        }
    }

    /// The sorted indexes `N` present under `prefix.N…`. A key under `prefix.` whose `N` is not an index
    /// (`Filter.-1.Name`, `VpcId.4294967296`, `VpcId.x`) refuses the request: reading the list without that member
    /// would widen a Describe to every resource.
    fn indexes(&self, prefix: &str) -> Result<Vec<u32>> {
        let dotted = format!("{prefix}.");
        let mut found = Vec::new();
        for (key, _) in self.map.range(dotted.clone()..).take_while(|(key, _)| key.starts_with(&dotted)) {
            let segment = key[dotted.len()..].split('.').next().unwrap_or_default();
            let index = list_index(segment).ok_or_else(|| Ec2Error::UnknownParameter(format!("{}{key}", self.path)))?;
            found.push(index);
        }
        found.sort_unstable();
        found.dedup();
        Ok(found)
    }

    /// A flattened list of plain values: `prefix.1`, `prefix.2`, … in index order.
    pub fn list(&self, prefix: &str) -> Result<Vec<String>> {
        Ok(self
            .indexes(prefix)?
            .into_iter()
            .filter_map(|n| self.get(&format!("{prefix}.{n}")).map(str::to_string))
            .collect())
    }

    /// The sub-parameters of each member of a list of structures (`prefix.N.*`), with the `prefix.N.` removed.
    pub fn structs(&self, prefix: &str) -> Result<Vec<Params>> {
        Ok(self
            .indexes(prefix)?
            .into_iter()
            .map(|n| {
                let member = format!("{prefix}.{n}.");
                Params {
                    map: self
                        .map
                        .range(member.clone()..)
                        .take_while(|(key, _)| key.starts_with(&member))
                        .map(|(key, value)| (key[member.len()..].to_string(), value.clone()))
                        .collect(),
                    path: format!("{}{member}", self.path),
                }
            })
            .collect())
    }

    /// Every parameter under `prefix.`, with the prefix removed (a structure kept in its request shape).
    pub fn under(&self, prefix: &str) -> BTreeMap<String, String> {
        let dotted = format!("{prefix}.");
        self.map
            .range(dotted.clone()..)
            .take_while(|(key, _)| key.starts_with(&dotted))
            .map(|(key, value)| (key[dotted.len()..].to_string(), value.clone()))
            .collect()
    }

    /// Every parameter, as sent.
    pub fn all(&self) -> &BTreeMap<String, String> {
        &self.map
    }

    /// Parameters from a map of flattened keys (RunInstances reading a launch template's data).
    pub fn from_map(map: BTreeMap<String, String>) -> Self {
        Params { map, path: String::new() }
    }

    /// Whether any parameter sits under `prefix.` (a structure member such as `Ebs.VolumeSize` was sent).
    pub fn structs_present(&self, prefix: &str) -> bool {
        let dotted = format!("{prefix}.");
        self.map.range(dotted.clone()..).next().is_some_and(|(key, _)| key.starts_with(&dotted))
    }

    /// `Filter.N.Name` / `Filter.N.Value.M`.
    pub fn filters(&self) -> Result<Vec<Filter>> {
        self.structs("Filter")?
            .into_iter()
            .map(|member| {
                let name = member.get("Name").ok_or_else(|| Ec2Error::MissingParameter("Filter.Name".into()))?;
                Ok(Filter { name: name.to_string(), values: member.list("Value")? })
            })
            .collect()
    }

    /// `Tag.N.Key` / `Tag.N.Value` (CreateTags).
    pub fn tags(&self, prefix: &str) -> Result<Vec<Tag>> {
        self.structs(prefix)?
            .into_iter()
            .map(|member| {
                let key = member.get("Key").ok_or_else(|| Ec2Error::MissingParameter("Tag.Key".into()))?;
                Ok(Tag { key: key.to_string(), value: member.get("Value").unwrap_or_default().to_string() })
            })
            .collect()
    }

    /// The tags of `TagSpecification.N` whose `ResourceType` is `resource_type`; a specification for any other
    /// type is refused, as AWS does.
    pub fn tag_specifications(&self, resource_type: &str) -> Result<Vec<Tag>> {
        self.tag_specifications_at("TagSpecification", resource_type)
    }

    /// [`Self::tag_specifications`] under another list name: some actions' member has no `locationName`, so the
    /// wire uses the plural member name (`TagSpecifications.N`, part 2 §9 item 1).
    pub fn tag_specifications_at(&self, prefix: &str, resource_type: &str) -> Result<Vec<Tag>> {
        let mut tags = Vec::new();
        for specification in self.structs(prefix)? {
            let kind = specification.get("ResourceType").unwrap_or_default();
            if kind != resource_type {
                return Err(Ec2Error::InvalidParameterValue(format!(
                    "'{kind}' is not a valid taggable resource type for this operation."
                )));
            }
            tags.extend(specification.tags("Tag")?);
        }
        Ok(tags)
    }

    /// `MaxResults` (checked against the action's range, spec §1.5) and `NextToken`.
    pub fn page(&self, min: usize, max: usize) -> Result<PageRequest> {
        let max_results = match self.int("MaxResults")? {
            None => None,
            Some(value) if value >= min as i64 && value <= max as i64 => Some(value as usize),
            Some(value) => {
                return Err(Ec2Error::InvalidParameterValue(format!(
                    "Value ( {value} ) for parameter maxResults is invalid. Parameter must be between {min} and {max}."
                )))
            }
        };
        Ok(PageRequest { max_results, next_token: self.get("NextToken").map(str::to_string) })
    }
}

/// The `N` of `prefix.N`: decimal digits that fit the 32-bit index AWS's lists use. Signs, spaces and hex are not
/// indexes; `0` is kept (no SDK sends it, and reading it widens nothing).
// ASSUMPTION (spec §1.1 [I]): AWS answers such a member with `UnknownParameter` "The parameter … is not
// recognized", its answer for any parameter name it cannot place; the real answer to an out-of-range index is
// unverified.
fn list_index(segment: &str) -> Option<u32> {
    if segment.is_empty() || !segment.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    segment.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Params {
        let mut params = Params::default();
        params.extend_from_urlencoded(text.as_bytes());
        params
    }

    #[test]
    fn lists_are_one_based_and_ordered_numerically() {
        let params = parse("VpcId.10=c&VpcId.2=b&VpcId.1=a");
        assert_eq!(params.list("VpcId").unwrap(), vec!["a", "b", "c"]);
        assert!(params.list("SubnetId").unwrap().is_empty());
    }

    #[test]
    fn an_index_that_is_not_one_refuses_the_request_and_names_the_parameter() {
        for (text, parameter) in [
            ("VpcId.4294967296=vpc-1", "VpcId.4294967296"),
            ("VpcId.-1=vpc-1", "VpcId.-1"),
            ("VpcId.x=vpc-1", "VpcId.x"),
            ("VpcId.=vpc-1", "VpcId."),
            ("VpcId.%2B1=vpc-1", "VpcId.+1"),
            ("VpcId.1=a&VpcId.%201=b", "VpcId. 1"),
        ] {
            let error = parse(text).list("VpcId").unwrap_err();
            assert_eq!(error, Ec2Error::UnknownParameter(parameter.into()), "{text}");
        }
        let error = parse("Filter.4294967296.Name=vpc-id").filters().unwrap_err();
        assert_eq!(error.to_string(), "The parameter Filter.4294967296.Name is not recognized");
        let error = parse("Filter.1.Name=vpc-id&Filter.1.Value.-1=vpc-1").filters().unwrap_err();
        assert_eq!(error.to_string(), "The parameter Filter.1.Value.-1 is not recognized");
        let error = parse("TagSpecification.1.ResourceType=vpc&TagSpecification.1.Tag.99999999999.Key=a")
            .tag_specifications("vpc")
            .unwrap_err();
        assert_eq!(error.to_string(), "The parameter TagSpecification.1.Tag.99999999999.Key is not recognized");
        // The largest index still reads, and other parameters sharing the first letters are not list members.
        let params = parse("VpcId.4294967295=b&VpcId.0=a&VpcIdentity=x");
        assert_eq!(params.list("VpcId").unwrap(), vec!["a", "b"]);
    }

    #[test]
    fn filters_with_several_values() {
        let params = parse("Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-1&Filter.1.Value.2=vpc-2&Filter.2.Name=tag%3AName&Filter.2.Value.1=web");
        let filters = params.filters().unwrap();
        assert_eq!(filters.len(), 2);
        assert_eq!(filters[0].values, vec!["vpc-1", "vpc-2"]);
        assert_eq!(filters[1].name, "tag:Name");
    }

    #[test]
    fn tag_specifications_for_the_right_type() {
        let params = parse(
            "TagSpecification.1.ResourceType=vpc&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=A",
        );
        assert_eq!(params.tag_specifications("vpc").unwrap(), vec![Tag { key: "Name".into(), value: "A".into() }]);
        assert_eq!(params.tag_specifications("subnet").unwrap_err().code(), "InvalidParameterValue");
    }

    #[test]
    fn typed_readers_refuse_wrong_types() {
        let params = parse("MaxResults=abc&DryRun=maybe&Value=true");
        assert_eq!(params.int("MaxResults").unwrap_err().code(), "InvalidParameterValue");
        assert_eq!(params.bool("DryRun").unwrap_err().code(), "InvalidParameterValue");
        assert_eq!(params.bool("Value").unwrap(), Some(true));
        assert_eq!(parse("MaxResults=4").page(5, 1000).unwrap_err().code(), "InvalidParameterValue");
        assert_eq!(parse("MaxResults=5").page(5, 1000).unwrap().max_results, Some(5));
        assert_eq!(params.required("VpcId").unwrap_err().to_string(), "The request must contain the parameter VpcId");
    }
}
