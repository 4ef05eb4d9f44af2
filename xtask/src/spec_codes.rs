//! Which EC2 error codes the spec names, and the lists that account for the ones `Ec2Error` does not have yet.
//!
//! STYLE.md ("Where AWS rules live", "xtask") asks for every spec error code to be in `Ec2Error` or on a named
//! "not yet" list. This module reads `../shared/spec/aws-vpc-behaviour.md` §1–§2 and §5 and takes every code span
//! (text in backticks) that looks like an EC2 error code; `tidy::error_codes` then compares that set with the
//! string literals of `crates/localvpc-model/src/error.rs` and with [`NOT_YET_IMPLEMENTED`].
//!
//! Telling codes from the spec's other backticked names (actions, parameters, element names, states) is done by
//! shape, see [`classify`], plus two explicit lists: [`IRREGULAR_ERROR_CODES`] for codes that have no tell-tale
//! shape and [`NOT_ERROR_CODES`] for code-shaped names that the emulator must not return. Run
//! `cargo xtask tidy --verbose` to see how every candidate was classified.
//! This module does not look at the spec's other sections (§3 data plane, §4 DNS, §6 divergences, which quotes
//! moto's wrong spellings on purpose).

use std::collections::BTreeMap;

/// Spec codes that no `Ec2Error` variant has yet, each belonging to a later issue. Remove a code from here in the
/// same change that adds its variant; `tidy` warns about entries that are already implemented and fails on entries
/// that the spec does not name (a typo, or a code the spec dropped).
///
/// Codes of issue #2 (spec §1, §2.1–§2.5, §2.12: the protocol, VPCs, subnets, internet gateways, route tables,
/// tags) are deliberately not here: that issue is the one being built, so `tidy` holds it to them.
pub const NOT_YET_IMPLEMENTED: &[&str] = &[
    // Spec §2.6/§5 name two more peering quota codes: AcceptVpcPeeringConnection answers the active-per-VPC quota
    // with `ActiveVpcPeeringConnectionPerVpcLimitExceeded` and CreateVpcPeeringConnection the outstanding-requests
    // quota with `PendingVpcPeeringConnectionLimitExceeded`, the code real AWS output shows (spec §2.6 [O]); these
    // two are not used.
    "VpcPeeringConnectionsPerVpcLimitExceeded",
    "OutstandingVpcPeeringConnectionLimitExceeded",
    // IAM authorisation: `serve --auth sigv4` authenticates keys (spec §1.2's AuthFailure) but no policy decides
    // what a key may do, so nothing is ever an unauthorised operation.
    "UnauthorizedOperation",
    // The quota code of instances with more than one interface (spec §5): the per-interface quota,
    // `SecurityGroupsPerInterfaceLimitExceeded`, is the one RunInstances uses.
    "SecurityGroupsPerInstanceLimitExceeded",
];

/// Error codes whose shape [`classify`] cannot recognise (no `Invalid` prefix, no tell-tale suffix).
pub const IRREGULAR_ERROR_CODES: &[&str] = &["MissingParameter", "CannotDelete", "InsufficientFreeAddressesInSubnet"];

/// Code-shaped names in the spec that are not codes the emulator returns, with the reason.
pub const NOT_ERROR_CODES: &[(&str, &str)] = &[
    ("RequestLimitExceeded", "spec §1.4: throttling; localvpc never throttles"),
    ("Unavailable", "spec §1.4: service unavailable; localvpc answers or is down, it never says so"),
    ("InvalidPaginationToken", "spec §1.5 names both spellings; localvpc answers InvalidNextToken"),
    (
        "InvalidInternetGateway.NotFound",
        "spec §1.6: the misspelling (sic) that botocore's internet_gateway_exists waiter matches; \
     AWS itself returns InvalidInternetGatewayID.NotFound",
    ),
];

/// Suffixes that mark an undotted name as an error code (`VpcLimitExceeded`, `DependencyViolation`, …).
const CODE_SUFFIXES: &[&str] =
    &["Exceeded", "AlreadyExists", "Violation", "NotPermitted", "NotSpecified", "Failure", "Operation", "Error"];

/// Second parts that mark a dotted name as an error code (`Gateway.NotAttached`, `Resource.AlreadyAssociated`).
const DOTTED_CODE_SUFFIXES: &[&str] = &[
    "NotFound",
    "Malformed",
    "Range",
    "Conflict",
    "Duplicate",
    "Reserved",
    "InUse",
    "AlreadyAssociated",
    "NotAttached",
    "DnsHostnamesDisabled",
];

/// The spec sections (`## N.`) whose error codes must be accounted for.
const CHECKED_SECTIONS: &[u32] = &[1, 2, 5];

/// What the spec's checked sections name in backticks.
#[derive(Debug, Default)]
pub struct SpecNames {
    /// Error codes, each with the subsections (`"2.2"`, `"5"`) it appears in, in order of first appearance.
    pub codes: BTreeMap<String, Vec<String>>,
    /// Code-shaped names in backticks that were judged not to be error codes, for `--verbose`.
    pub other_names: BTreeMap<String, &'static str>,
    /// The checked top-level sections that were found, to notice a restructured spec.
    pub sections_found: Vec<u32>,
}

/// `Ok(())` when a backticked name is an EC2 error code, or `Err(reason)` saying why it is not one. `name` must
/// already have the shape of a dotted CamelCase name (see [`looks_like_a_name`]).
pub fn classify(name: &str) -> Result<(), &'static str> {
    if let Some((_, reason)) = NOT_ERROR_CODES.iter().find(|(code, _)| *code == name) {
        return Err(reason);
    }
    if IRREGULAR_ERROR_CODES.contains(&name) {
        return Ok(());
    }
    let parts: Vec<&str> = name.split('.').collect();
    match parts.as_slice() {
        [single] if single.starts_with("Invalid") || CODE_SUFFIXES.iter().any(|suffix| single.ends_with(suffix)) => {
            Ok(())
        }
        [_] => Err("a parameter, action, element or state name"),
        [first, second] if first.starts_with("Invalid") || DOTTED_CODE_SUFFIXES.contains(second) => Ok(()),
        _ => Err("a dotted parameter name"),
    }
}

/// Whether a code span's text has the shape of a name: `CamelCase` words joined by dots (`InvalidVpcID.NotFound`,
/// `Filter.N.Name`), with no spaces, `=`, `<…>` or other punctuation.
pub fn looks_like_a_name(text: &str) -> bool {
    text.split('.').enumerate().all(|(index, part)| {
        let mut chars = part.chars();
        let first_ok = match chars.next() {
            Some(first) if index == 0 => first.is_ascii_uppercase(),
            Some(first) => first.is_ascii_alphanumeric(),
            None => false,
        };
        first_ok && chars.all(|c| c.is_ascii_alphanumeric())
    })
}

/// Reads the error codes out of the spec's markdown.
pub fn spec_names(markdown: &str) -> SpecNames {
    let mut names = SpecNames::default();
    for block in blocks(markdown) {
        for span in code_spans(&block.text) {
            let span = span.trim();
            if !looks_like_a_name(span) {
                continue;
            }
            match classify(span) {
                Ok(()) => {
                    let sections = names.codes.entry(span.to_owned()).or_default();
                    if !sections.contains(&block.section) {
                        sections.push(block.section.clone());
                    }
                }
                Err(reason) => {
                    names.other_names.insert(span.to_owned(), reason);
                }
            }
        }
    }
    for line in markdown.lines() {
        if let Some(number) = top_section_number(line) {
            if CHECKED_SECTIONS.contains(&number) && !names.sections_found.contains(&number) {
                names.sections_found.push(number);
            }
        }
    }
    names
}

/// The sections this check reads, for messages.
pub fn checked_sections_label() -> &'static str {
    "§1–§2, §5"
}

/// Whether every checked section was found in the spec.
pub fn all_sections_found(names: &SpecNames) -> bool {
    CHECKED_SECTIONS.iter().all(|number| names.sections_found.contains(number))
}

/// One markdown block (paragraph, list item, table row or heading) inside a checked section, with its subsection.
struct Block {
    section: String,
    text: String,
}

/// `Some(N)` for a `## N. Title` heading.
fn top_section_number(line: &str) -> Option<u32> {
    let rest = line.strip_prefix("## ")?;
    let (number, _) = rest.split_once('.')?;
    number.trim().parse().ok()
}

/// `Some("N.M")` for a `### N.M Title` heading.
fn subsection_label(line: &str) -> Option<String> {
    let rest = line.strip_prefix("### ")?;
    let label: String = rest.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
    let label = label.trim_end_matches('.');
    (!label.is_empty()).then(|| label.to_owned())
}

/// Splits the checked sections into blocks. A code span can run over a line break inside a paragraph or list item
/// (the spec wraps long spans), but never across blocks, so backticks are paired per block. Fenced code is skipped.
fn blocks(markdown: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut in_checked_section = false;
    let mut in_fence = false;
    let mut section = String::new();
    let mut current: Option<Block> = None;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            blocks.extend(current.take());
            continue;
        }
        if in_fence {
            continue;
        }
        if let Some(number) = top_section_number(line) {
            in_checked_section = CHECKED_SECTIONS.contains(&number);
            section = number.to_string();
        } else if line.starts_with("## ") {
            in_checked_section = false;
        } else if let Some(label) = subsection_label(line) {
            section = label;
        }
        if !in_checked_section {
            blocks.extend(current.take());
            continue;
        }
        if starts_a_block(line) {
            blocks.extend(current.take());
            if !line.trim().is_empty() {
                current = Some(Block { section: section.clone(), text: line.to_owned() });
            }
        } else if let Some(block) = current.as_mut() {
            block.text.push('\n');
            block.text.push_str(line);
        } else {
            current = Some(Block { section: section.clone(), text: line.to_owned() });
        }
    }
    blocks.extend(current);
    blocks
}

fn starts_a_block(line: &str) -> bool {
    let numbered_item = {
        let digits = line.chars().take_while(char::is_ascii_digit).count();
        digits > 0 && line[digits..].starts_with(". ")
    };
    line.trim().is_empty()
        || line.starts_with("- ")
        || line.starts_with("* ")
        || line.starts_with('#')
        || line.starts_with('|')
        || numbered_item
}

/// The texts between pairs of backticks; an unpaired last backtick opens nothing.
fn code_spans(text: &str) -> Vec<&str> {
    let pieces: Vec<&str> = text.split('`').collect();
    // Pieces at odd indexes are inside backticks, if a backtick follows them (the last piece has none).
    (1..pieces.len().saturating_sub(1)).step_by(2).map(|index| pieces[index]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
# Title
## 0. Summary
1. Spellings: `InvalidSubnet.Range` (summary only, not checked here).

## 1. Protocol
### 1.1 Request format
- Filters: `Filter.N.Name`; over-long → `FilterLimitExceeded` and `DryRun=true` → `DryRunOperation`.
- **CreateNetworkAclEntry** `NetworkAclId, RuleNumber (1..32766), Protocol,
  Egress` → `NetworkAclEntryAlreadyExists` \"identified by 100\"; also `Invalid<Thing>Id.Malformed`.
- A span wrapped over a line: `Gateway.NotAttached` then `Resource.
  AlreadyAssociated` (wrapped, so not a name).
```
<Code>InvalidVpcID.NotFound</Code> `InvalidInFence.NotFound`
```
### 1.6 Conventions
- waiter retries on `InvalidInternetGateway.NotFound` (sic); actions `DescribeRegions`, states `Active`, element
  `RequestID`, params `VpcId.N`, `RequesterPeeringConnectionOptions.AllowDnsResolutionFromRemoteVpc`.

## 3. Data plane
- `InvalidRoute.NotFound` appears only in an unchecked section.

## 5. Quotas
| item | default | error |
|---|---|---|
| VPCs | 5 | `VpcLimitExceeded` |
| Subnets | 200 | `MissingParameter` |
";

    #[test]
    fn extracts_codes_only_from_checked_sections() {
        let names = spec_names(SAMPLE);
        let codes: Vec<&str> = names.codes.keys().map(String::as_str).collect();
        assert_eq!(
            codes,
            vec![
                "DryRunOperation",
                "FilterLimitExceeded",
                "Gateway.NotAttached",
                "MissingParameter",
                "NetworkAclEntryAlreadyExists",
                "VpcLimitExceeded",
            ]
        );
        assert_eq!(names.codes["FilterLimitExceeded"], vec!["1.1"]);
        assert_eq!(names.codes["VpcLimitExceeded"], vec!["5"]);
        assert_eq!(names.sections_found, vec![1, 5]);
        assert!(!all_sections_found(&names));
    }

    #[test]
    fn names_that_are_not_codes_are_recorded_with_a_reason() {
        let names = spec_names(SAMPLE);
        for name in [
            "Filter.N.Name",
            "InvalidInternetGateway.NotFound",
            "DescribeRegions",
            "Active",
            "RequestID",
            "VpcId.N",
            "RequesterPeeringConnectionOptions.AllowDnsResolutionFromRemoteVpc",
        ] {
            assert!(names.other_names.contains_key(name), "{name} should be a non-code name");
        }
        assert!(!names.codes.contains_key("InvalidInFence.NotFound"));
    }

    #[test]
    fn classifies_the_spec_shapes() {
        for code in [
            "InvalidVpcID.NotFound",
            "InvalidVpc.Range",
            "InvalidVpcPeeringConnectionState.DnsHostnamesDisabled",
            "Resource.AlreadyAssociated",
            "DependencyViolation",
            "OperationNotPermitted",
            "UnauthorizedOperation",
            "AuthFailure",
            "InternalError",
            "VPCIdNotSpecified",
            "InvalidParameterValue",
            "MissingParameter",
        ] {
            assert!(looks_like_a_name(code) && classify(code).is_ok(), "{code} should be a code");
        }
        for name in ["CreateVpc", "EnableVgwRoutePropagation", "Provisioning", "Tag.1.Key", "TagSpecification"] {
            assert!(looks_like_a_name(name) && classify(name).is_err(), "{name} should not be a code");
        }
        for text in ["DryRun=true", "Invalid<Thing>Id.Malformed", "…Id.NotFound", "vpc-", "Foo..Bar", ""] {
            assert!(!looks_like_a_name(text), "{text:?} is not a name");
        }
    }

    #[test]
    fn the_lists_are_consistent() {
        for code in NOT_YET_IMPLEMENTED {
            assert!(looks_like_a_name(code) && classify(code).is_ok(), "{code} on the not-yet list is not code-shaped");
        }
        for (name, _) in NOT_ERROR_CODES {
            assert!(!IRREGULAR_ERROR_CODES.contains(name) && !NOT_YET_IMPLEMENTED.contains(name));
        }
        let mut sorted = NOT_YET_IMPLEMENTED.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), NOT_YET_IMPLEMENTED.len(), "duplicate entry in NOT_YET_IMPLEMENTED");
    }
}
