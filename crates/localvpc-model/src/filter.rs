//! Describe filters and paging (spec §1.1, §1.5).
//!
//! Semantics [D]: the values inside one filter are OR-ed, different filters are AND-ed; `*` and `?` are wildcards;
//! `tag:<key>` matches the value of that tag, `tag-key` any key, `tag-value` any value. An unknown filter name is
//! refused before anything is matched, so the error does not depend on what exists.

use std::ops::Bound;
use std::sync::Arc;

use crate::tags::Tags;
use crate::world::Table;
use crate::{Ec2Error, Result};

/// One `Filter.N` of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// `Filter.N.Name`.
    pub name: String,
    /// `Filter.N.Value.M`, in order.
    pub values: Vec<String>,
}

/// Something that can be filtered: it knows its filter names and produces the values of one of them.
pub trait Filterable {
    /// The filter names this resource's Describe action accepts (the tag filters are always accepted).
    const FILTERS: &'static [&'static str];
    /// Pushes the values of filter `name` (one of [`Self::FILTERS`]) into `out`.
    fn filter_values(&self, name: &str, out: &mut Vec<String>);
    /// The resource's tags, for `tag:<key>`, `tag-key` and `tag-value`.
    fn filter_tags(&self) -> Option<&Tags> {
        None
    }
}

/// Spec §1.1 [O]: longest accepted filter value.
const MAX_FILTER_VALUE_LEN: usize = 255;

/// Refuses unknown filter names and over-long values.
pub fn validate<T: Filterable>(filters: &[Filter]) -> Result<()> {
    for filter in filters {
        let tag_filter = filter.name.starts_with("tag:") || filter.name == "tag-key" || filter.name == "tag-value";
        if !tag_filter && !T::FILTERS.contains(&filter.name.as_str()) {
            return Err(Ec2Error::InvalidFilter(filter.name.clone()));
        }
        if filter.values.iter().any(|value| value.chars().count() > MAX_FILTER_VALUE_LEN) {
            return Err(Ec2Error::FilterLimitExceeded);
        }
    }
    Ok(())
}

/// True when `item` passes every filter.
pub fn matches<T: Filterable>(item: &T, filters: &[Filter]) -> bool {
    let mut values = Vec::new();
    filters.iter().all(|filter| {
        values.clear();
        if let Some(key) = filter.name.strip_prefix("tag:") {
            if let Some(value) = item.filter_tags().and_then(|tags| tags.get(key)) {
                values.push(value.to_string());
            }
        } else if filter.name == "tag-key" {
            values.extend(item.filter_tags().into_iter().flat_map(|tags| tags.iter().map(|tag| tag.key.clone())));
        } else if filter.name == "tag-value" {
            values.extend(item.filter_tags().into_iter().flat_map(|tags| tags.iter().map(|tag| tag.value.clone())));
        } else {
            item.filter_values(&filter.name, &mut values);
        }
        values.iter().any(|value| filter.values.iter().any(|pattern| glob_match(pattern, value)))
    })
}

/// `*` matches any run of characters, `?` exactly one; everything else literally.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    if !pattern.contains(['*', '?']) {
        return pattern == text;
    }
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            backtrack = Some((p, t));
            p += 1;
        } else if let Some((star, matched)) = backtrack {
            p = star + 1;
            t = matched + 1;
            backtrack = Some((star, matched + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

/// `MaxResults` and `NextToken` of a Describe request (spec §1.5).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageRequest {
    /// Page size; `None` returns everything.
    pub max_results: Option<usize>,
    /// Where to resume: a token this server issued.
    pub next_token: Option<String>,
}

/// One page of results.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// Present when more items follow.
    pub next_token: Option<String>,
}

/// Tokens are the ID of the first item of the next page behind a fixed marker, so a token still works if that
/// item is deleted between calls (iteration resumes at the next ID in order).
const TOKEN_MARKER: &str = "lvpc1.";

/// Walks `table` in ID order from the token, keeping items that pass `keep`, one page at a time.
pub fn paginate<T>(table: &Table<T>, page: &PageRequest, keep: impl FnMut(&T) -> bool) -> Result<Page<Arc<T>>> {
    let start = resume_at(page)?;
    let items = match &start {
        Some(id) => {
            let from: (Bound<&str>, Bound<&str>) = (Bound::Included(id.as_str()), Bound::Unbounded);
            Box::new(table.range::<_, str>(from)) as Box<dyn Iterator<Item = (&Arc<str>, &Arc<T>)>>
        }
        None => Box::new(table.iter()),
    };
    Ok(one_page(items, page, keep))
}

/// [`paginate`] over the items named by `ids` (a Describe with explicit IDs): each is looked up rather than found
/// by a walk over the whole table, in the same order and with the same tokens. IDs the table does not hold are
/// skipped (a Describe refuses them before it pages).
pub fn paginate_ids<T>(
    table: &Table<T>,
    ids: &[String],
    page: &PageRequest,
    keep: impl FnMut(&T) -> bool,
) -> Result<Page<Arc<T>>> {
    let start = resume_at(page)?;
    let mut wanted: Vec<&String> = ids.iter().filter(|id| start.as_ref().is_none_or(|start| *id >= start)).collect();
    wanted.sort_unstable();
    wanted.dedup();
    Ok(one_page(wanted.into_iter().filter_map(|id| table.get_key_value(id.as_str())), page, keep))
}

/// Where a page starts: the ID in the request's token, if it has one.
pub(crate) fn resume_at(page: &PageRequest) -> Result<Option<String>> {
    match &page.next_token {
        None => Ok(None),
        Some(token) => match token.strip_prefix(TOKEN_MARKER) {
            Some(id) if !id.is_empty() => Ok(Some(id.to_string())),
            _ => Err(Ec2Error::InvalidNextToken(token.clone())),
        },
    }
}

/// [`paginate`] over values no table holds (the Region's endpoint services), ordered by `key`: the same tokens.
pub fn paginate_by_key<T>(mut items: Vec<T>, page: &PageRequest, key: impl Fn(&T) -> &str) -> Result<Page<T>> {
    let start = resume_at(page)?;
    items.sort_by(|a, b| key(a).cmp(key(b)));
    let mut rest = items.into_iter().filter(|item| start.as_deref().is_none_or(|start| key(item) >= start));
    let mut kept = Vec::new();
    for item in rest.by_ref() {
        if page.max_results.is_some_and(|max| kept.len() >= max) {
            return Ok(Page { next_token: Some(format!("{TOKEN_MARKER}{}", key(&item))), items: kept });
        }
        kept.push(item);
    }
    Ok(Page { items: kept, next_token: None })
}

/// The first page of `items` (in ID order) that pass `keep`, and the token of the next kept item if there is one.
pub(crate) fn one_page<'a, T: 'a>(
    items: impl Iterator<Item = (&'a Arc<str>, &'a Arc<T>)>,
    page: &PageRequest,
    mut keep: impl FnMut(&T) -> bool,
) -> Page<Arc<T>> {
    let mut kept = Vec::new();
    for (id, item) in items {
        if !keep(item) {
            continue;
        }
        if page.max_results.is_some_and(|max| kept.len() >= max) {
            return Page { items: kept, next_token: Some(format!("{TOKEN_MARKER}{id}")) };
        }
        kept.push(item.clone());
    }
    Page { items: kept, next_token: None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tags::Tag;

    struct Thing {
        state: &'static str,
        tags: Tags,
    }

    impl Filterable for Thing {
        const FILTERS: &'static [&'static str] = &["state"];
        fn filter_values(&self, name: &str, out: &mut Vec<String>) {
            if name == "state" {
                out.push(self.state.into());
            }
        }
        fn filter_tags(&self) -> Option<&Tags> {
            Some(&self.tags)
        }
    }

    fn filter(name: &str, values: &[&str]) -> Filter {
        Filter { name: name.into(), values: values.iter().map(|v| v.to_string()).collect() }
    }

    fn thing() -> Thing {
        Thing { state: "available", tags: Tags(vec![Tag { key: "Name".into(), value: "peeringVPC-A".into() }]) }
    }

    #[test]
    fn or_inside_and_across() {
        let t = thing();
        assert!(matches(&t, &[filter("state", &["pending", "available"])]));
        assert!(!matches(&t, &[filter("state", &["available"]), filter("tag:Name", &["other"])]));
        assert!(matches(&t, &[filter("state", &["available"]), filter("tag:Name", &["peeringVPC-A"])]));
    }

    #[test]
    fn tag_filters_and_wildcards() {
        let t = thing();
        assert!(matches(&t, &[filter("tag:Name", &["peering*"])]));
        assert!(matches(&t, &[filter("tag:Name", &["peeringVPC-?"])]));
        assert!(!matches(&t, &[filter("tag:Missing", &["*"])]));
        assert!(matches(&t, &[filter("tag-key", &["Name"])]));
        assert!(matches(&t, &[filter("tag-value", &["*A"])]));
    }

    #[test]
    fn unknown_filter_names_are_refused() {
        assert_eq!(
            validate::<Thing>(&[filter("public-ip", &["x"])]).unwrap_err().to_string(),
            "The filter 'public-ip' is invalid"
        );
        assert!(validate::<Thing>(&[filter("tag:anything", &["x"])]).is_ok());
        let long = "x".repeat(256);
        assert_eq!(validate::<Thing>(&[filter("state", &[&long])]).unwrap_err(), Ec2Error::FilterLimitExceeded);
    }

    #[test]
    fn glob_edge_cases() {
        assert!(glob_match("*", ""));
        assert!(glob_match("a*b*c", "aXXbYYc"));
        assert!(!glob_match("a*b", "aXXc"));
        assert!(glob_match("10.0.*", "10.0.1.0/24"));
        assert!(!glob_match("?", ""));
    }

    #[test]
    fn pages_resume_from_the_token() {
        let table: Table<u32> = (0..12u32).map(|n| (format!("id-{n:02}"), Arc::new(n))).collect();
        let request = PageRequest { max_results: Some(5), next_token: None };
        let first = paginate(&table, &request, |_| true).unwrap();
        assert_eq!(first.items.len(), 5);
        let second =
            paginate(&table, &PageRequest { next_token: first.next_token.clone(), ..request.clone() }, |_| true)
                .unwrap();
        assert_eq!(*second.items[0], 5);
        let third = paginate(&table, &PageRequest { next_token: second.next_token, ..request }, |_| true).unwrap();
        assert_eq!(third.items.len(), 2);
        assert!(third.next_token.is_none());
        let bad = PageRequest { max_results: None, next_token: Some("garbage".into()) };
        assert_eq!(paginate(&table, &bad, |_| true).unwrap_err().code(), "InvalidNextToken");
    }

    #[test]
    fn explicit_ids_page_like_the_walk_they_replace() {
        let table: Table<u32> = (0..12u32).map(|n| (format!("id-{n:02}"), Arc::new(n))).collect();
        let ids: Vec<String> = ["id-09", "id-01", "id-05", "id-01", "id-07", "id-99"].map(String::from).to_vec();
        let odd = |n: &u32| n % 2 == 1;
        let request = PageRequest { max_results: Some(2), next_token: None };
        let mut walked = Vec::new();
        let mut looked_up = Vec::new();
        let (mut walk_token, mut lookup_token) = (None, None);
        loop {
            let walk = paginate(&table, &PageRequest { next_token: walk_token, ..request.clone() }, |item| {
                ids.iter().any(|id| *id == format!("id-{item:02}")) && odd(item)
            })
            .unwrap();
            let lookup =
                paginate_ids(&table, &ids, &PageRequest { next_token: lookup_token, ..request.clone() }, odd).unwrap();
            assert_eq!(walk.next_token, lookup.next_token);
            walked.extend(walk.items.iter().map(|n| **n));
            looked_up.extend(lookup.items.iter().map(|n| **n));
            (walk_token, lookup_token) = (walk.next_token, lookup.next_token);
            if walk_token.is_none() {
                break;
            }
        }
        assert_eq!(looked_up, vec![1, 5, 7, 9]);
        assert_eq!(walked, looked_up);
        let bad = PageRequest { max_results: None, next_token: Some("lvpc1.".into()) };
        assert_eq!(paginate_ids(&table, &ids, &bad, odd).unwrap_err().code(), "InvalidNextToken");
    }
}
