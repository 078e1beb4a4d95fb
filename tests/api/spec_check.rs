//! A small JSON Schema validator for checking REST responses against an OpenAPI 3.1 document.
//!
//! It covers the JSON Schema 2020-12 subset that utoipa emits (plus a few cheap extras such as
//! OpenAPI 3.0 `nullable`). Only local `$ref`s (`#/...`) are followed. Keywords that it cannot
//! evaluate correctly (`unevaluated*`, `$dynamicRef`, ...) are reported as errors rather than
//! silently ignored, so a check never passes by accident.

#![forbid(unsafe_code)]

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, PoisonError};

use regex::Regex;
use serde_json::{Map, Number, Value};

/// Deepest nesting of schemas (including `$ref` hops) evaluated for one value.
const MAX_DEPTH: usize = 128;
/// Most schema evaluations for one body; guards against exponential `oneOf` blow-ups.
const MAX_STEPS: usize = 1_000_000;
/// Longest chain of `$ref`s to a response or path item.
const MAX_REF_CHAIN: usize = 16;
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
/// Keywords whose meaning this validator does not implement; a schema using them is an error.
const UNSUPPORTED: [&str; 5] = [
    "unevaluatedProperties",
    "unevaluatedItems",
    "$dynamicRef",
    "$recursiveRef",
    "dependencies",
];

/// An OpenAPI document, ready to check responses against.
#[derive(Debug)]
pub struct Spec {
    doc: Value,
    regexes: Mutex<HashMap<String, Result<Regex, String>>>,
}

impl Spec {
    pub fn new(doc: Value) -> Spec {
        Spec {
            doc,
            regexes: Mutex::new(HashMap::new()),
        }
    }

    /// Whether the spec has an operation for this method on this path (the 404/405 fallbacks
    /// answer requests outside it).
    pub fn documents(&self, method: &str, path: &str) -> bool {
        let path = path.split(['?', '#']).next().unwrap_or(path);
        self.find_path(path)
            .and_then(|(_, item, loc)| self.follow_refs(item, loc).ok())
            .is_some_and(|(item, _)| item.get(method.to_ascii_lowercase()).is_some())
    }

    /// Finds the operation whose path template matches `path` (literal segments are preferred
    /// over templated ones), strips any query string, and validates `body` against the schema
    /// documented for `status` (exact, then `2XX`-style range, then `default`) and media type
    /// (parameters such as `charset` ignored). Bodies of non-JSON media types are not inspected.
    pub fn check_response(
        &self,
        method: &str,
        path: &str,
        status: u16,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<(), Vec<String>> {
        let path = path.split(['?', '#']).next().unwrap_or(path);
        let upper = method.to_ascii_uppercase();
        let (template, item, item_loc) = self.find_path(path).ok_or_else(|| {
            vec![format!(
                "{upper} {path}: no path template in the spec matches"
            )]
        })?;
        let (item, item_loc) = self.follow_refs(item, item_loc).map_err(|e| vec![e])?;
        let op_name = format!("{upper} {template}");
        let lower = method.to_ascii_lowercase();
        let op = item.get(&lower).filter(|o| o.is_object()).ok_or_else(|| {
            let documented: Vec<&str> = METHODS
                .iter()
                .copied()
                .filter(|m| item.get(*m).is_some())
                .collect();
            vec![format!(
                "{op_name}: method not documented (documented: {})",
                documented.join(", ")
            )]
        })?;
        let responses = op
            .get("responses")
            .and_then(Value::as_object)
            .ok_or_else(|| vec![format!("{op_name}: operation has no responses")])?;
        let (status_key, response) = pick_status(responses, status).ok_or_else(|| {
            let keys: Vec<&str> = responses.keys().map(String::as_str).collect();
            vec![format!(
                "{op_name}: status {status} not documented (documented: {})",
                keys.join(", ")
            )]
        })?;
        let response_loc = format!(
            "{item_loc}/{}/responses/{}",
            escape_token(&lower),
            escape_token(status_key)
        );
        let (response, response_loc) = self
            .follow_refs(response, response_loc)
            .map_err(|e| vec![e])?;
        let ctx = format!("{op_name} {status}");
        let content = response
            .get("content")
            .and_then(Value::as_object)
            .filter(|c| !c.is_empty());
        let Some(content) = content else {
            if body.is_empty() {
                return Ok(());
            }
            return Err(vec![format!(
                "{ctx}: no body is documented, but got {} bytes",
                body.len()
            )]);
        };
        let documented = || {
            content
                .keys()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let Some(content_type) = content_type else {
            return Err(vec![format!(
                "{ctx}: no Content-Type (documented: {})",
                documented()
            )]);
        };
        let want = essence(content_type);
        let (media_key, media) = find_media(content, &want).ok_or_else(|| {
            vec![format!(
                "{ctx}: media type {want:?} not documented (documented: {})",
                documented()
            )]
        })?;
        if !is_json(&want) {
            return Ok(());
        }
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| vec![format!("{ctx}: body is not valid JSON: {e}")])?;
        let Some(schema) = media.get("schema") else {
            return Ok(());
        };
        let loc = format!("{response_loc}/content/{}/schema", escape_token(media_key));
        let errors = self.validate(schema, &loc, &value);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Components (as `#/components/{section}/{name}`) that nothing outside `components`
    /// reaches, directly or through other components. A component referenced only by unused
    /// components is unused too. Security schemes count as used when named in a `security`
    /// requirement.
    pub fn unused_components(&self) -> Vec<String> {
        let Some(components) = self.doc.get("components").and_then(Value::as_object) else {
            return Vec::new();
        };
        let mut pending = Vec::new();
        if let Some(root) = self.doc.as_object() {
            for (key, value) in root {
                if key != "components" {
                    collect_refs(value, &mut pending);
                }
            }
        }
        let mut requirements: Vec<&Value> = self.doc.get("security").into_iter().collect();
        if let Some(paths) = self.doc.get("paths").and_then(Value::as_object) {
            for item in paths.values() {
                for method in METHODS {
                    if let Some(security) = item.get(method).and_then(|op| op.get("security")) {
                        requirements.push(security);
                    }
                }
            }
        }
        for requirement in requirements.iter().filter_map(|r| r.as_array()).flatten() {
            if let Some(names) = requirement.as_object() {
                for name in names.keys() {
                    pending.push(format!(
                        "#/components/securitySchemes/{}",
                        escape_token(name)
                    ));
                }
            }
        }
        let mut used = HashSet::new();
        while let Some(reference) = pending.pop() {
            let Some(key) = component_key(&reference) else {
                continue;
            };
            if used.contains(&key) {
                continue;
            }
            if let Ok((target, _)) = self.resolve(&key) {
                collect_refs(target, &mut pending);
            }
            used.insert(key);
        }
        let mut unused = Vec::new();
        for (section, entries) in components {
            if let Some(entries) = entries.as_object() {
                for name in entries.keys() {
                    let key = format!(
                        "#/components/{}/{}",
                        escape_token(section),
                        escape_token(name)
                    );
                    if !used.contains(&key) {
                        unused.push(key);
                    }
                }
            }
        }
        unused.sort();
        unused
    }

    /// Validates `value` against `schema` (found at `loc` in the document), rendering violations.
    fn validate(&self, schema: &Value, loc: &str, value: &Value) -> Vec<String> {
        let mut run = Run {
            spec: self,
            active_refs: Vec::new(),
            steps: 0,
        };
        let mut out = Vec::new();
        run.validate(schema, loc, value, "", 0, &mut out);
        out.iter().map(Violation::render).collect()
    }

    /// The path template matching `path`, its path item and the item's location.
    fn find_path(&self, path: &str) -> Option<(&str, &Value, String)> {
        let paths = self.doc.get("paths")?.as_object()?;
        let segments: Vec<&str> = path.split('/').collect();
        let mut best: Option<(Vec<bool>, &str, &Value)> = None;
        for (template, item) in paths {
            let parts: Vec<&str> = template.split('/').collect();
            if parts.len() != segments.len() {
                continue;
            }
            let mut literal = Vec::with_capacity(parts.len());
            let mut matches = true;
            for (part, segment) in parts.iter().zip(&segments) {
                let is_literal = !part.contains('{');
                let ok = if is_literal {
                    part == segment
                } else {
                    segment_matches(part, segment)
                };
                if !ok {
                    matches = false;
                    break;
                }
                literal.push(is_literal);
            }
            // Lexicographic: the first segment where they differ decides, literal wins.
            if matches && best.as_ref().is_none_or(|(b, _, _)| literal > *b) {
                best = Some((literal, template.as_str(), item));
            }
        }
        best.map(|(_, template, item)| {
            (
                template,
                item,
                format!("#/paths/{}", escape_token(template)),
            )
        })
    }

    /// Follows `$ref`s (of a response or path item) to the object they name.
    fn follow_refs<'a>(
        &'a self,
        value: &'a Value,
        loc: String,
    ) -> Result<(&'a Value, String), String> {
        let mut current = (value, loc);
        for _ in 0..MAX_REF_CHAIN {
            match current.0.get("$ref").and_then(Value::as_str) {
                None => return Ok(current),
                Some(reference) => current = self.resolve(reference)?,
            }
        }
        Err(format!(
            "$ref chain longer than {MAX_REF_CHAIN} at {}",
            current.1
        ))
    }

    /// Resolves a local `$ref` to its target and the target's location.
    fn resolve(&self, reference: &str) -> Result<(&Value, String), String> {
        let fragment = reference
            .strip_prefix('#')
            .ok_or_else(|| format!("unsupported non-local $ref {reference:?}"))?;
        let fragment = percent_decode(fragment);
        let target = if fragment.is_empty() {
            Some(&self.doc)
        } else {
            self.doc.pointer(&fragment)
        };
        target
            .map(|t| (t, format!("#{fragment}")))
            .ok_or_else(|| format!("unresolvable $ref {reference:?}"))
    }

    fn regex(&self, pattern: &str) -> Result<Regex, String> {
        let mut cache = self.regexes.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(compiled) = cache.get(pattern) {
            return compiled.clone();
        }
        let compiled = Regex::new(pattern).map_err(|e| {
            let text = e.to_string();
            text.lines()
                .rfind(|l| !l.trim().is_empty())
                .unwrap_or("invalid")
                .trim()
                .to_owned()
        });
        cache.insert(pattern.to_owned(), compiled.clone());
        compiled
    }
}

struct Violation {
    instance: String,
    schema: String,
    message: String,
    /// A type/enum/const mismatch: the schema was probably not meant for this value at all.
    mismatch: bool,
}

impl Violation {
    fn new(instance: &str, schema: &str, message: String) -> Violation {
        Violation {
            instance: instance.to_owned(),
            schema: schema.to_owned(),
            message,
            mismatch: false,
        }
    }

    fn mismatch(instance: &str, schema: &str, message: String) -> Violation {
        Violation {
            mismatch: true,
            ..Violation::new(instance, schema, message)
        }
    }

    fn render(&self) -> String {
        let at = if self.instance.is_empty() {
            "(root)"
        } else {
            &self.instance
        };
        format!("{at}: {} (schema {})", self.message, self.schema)
    }
}

/// One validation of one body.
struct Run<'s> {
    spec: &'s Spec,
    /// `$ref` targets being evaluated, with the instance each is evaluated at.
    active_refs: Vec<(String, String)>,
    steps: usize,
}

impl Run<'_> {
    fn validate(
        &mut self,
        schema: &Value,
        loc: &str,
        value: &Value,
        ptr: &str,
        depth: usize,
        out: &mut Vec<Violation>,
    ) {
        self.steps = self.steps.saturating_add(1);
        if self.steps > MAX_STEPS {
            if self.steps == MAX_STEPS.saturating_add(1) {
                out.push(Violation::new(
                    ptr,
                    loc,
                    format!("validation gave up after {MAX_STEPS} steps"),
                ));
            }
            return;
        }
        if depth > MAX_DEPTH {
            out.push(Violation::new(
                ptr,
                loc,
                format!("schema nesting deeper than {MAX_DEPTH}"),
            ));
            return;
        }
        let schema = match schema {
            Value::Bool(true) => return,
            Value::Bool(false) => {
                out.push(Violation::mismatch(
                    ptr,
                    loc,
                    "no value is allowed here (schema false)".to_owned(),
                ));
                return;
            }
            Value::Object(schema) => schema,
            other => {
                out.push(Violation::new(
                    ptr,
                    loc,
                    format!("invalid schema {}", short(other)),
                ));
                return;
            }
        };
        let next = depth.saturating_add(1);
        for keyword in UNSUPPORTED {
            if schema.contains_key(keyword) {
                out.push(Violation::new(
                    ptr,
                    loc,
                    format!("unsupported keyword {keyword:?}"),
                ));
            }
        }
        if let Some(reference) = schema.get("$ref") {
            self.validate_ref(reference, loc, value, ptr, next, out);
        }
        check_type(schema, loc, value, ptr, out);
        if let Some(allowed) = schema.get("enum") {
            match allowed.as_array() {
                Some(list) if list.iter().any(|a| json_eq(a, value)) => {}
                Some(_) => out.push(Violation::mismatch(
                    ptr,
                    loc,
                    format!(
                        "{} is not one of {}",
                        describe(value),
                        clip(&allowed.to_string(), 200)
                    ),
                )),
                None => out.push(Violation::new(
                    ptr,
                    loc,
                    "invalid schema: enum is not an array".to_owned(),
                )),
            }
        }
        if let Some(constant) = schema.get("const")
            && !json_eq(constant, value)
        {
            out.push(Violation::mismatch(
                ptr,
                loc,
                format!(
                    "{} is not the constant {}",
                    describe(value),
                    short(constant)
                ),
            ));
        }
        match value {
            Value::String(s) => self.check_string(schema, loc, s, ptr, out),
            Value::Number(n) => check_number(schema, loc, n, ptr, out),
            Value::Array(items) => self.check_array(schema, loc, items, ptr, next, out),
            Value::Object(map) => self.check_object(schema, loc, map, ptr, next, out),
            Value::Null | Value::Bool(_) => {}
        }
        self.check_combinators(schema, loc, value, ptr, next, out);
    }

    fn validate_ref(
        &mut self,
        reference: &Value,
        loc: &str,
        value: &Value,
        ptr: &str,
        depth: usize,
        out: &mut Vec<Violation>,
    ) {
        let spec = self.spec;
        let resolved = reference
            .as_str()
            .ok_or_else(|| "invalid schema: $ref is not a string".to_owned())
            .and_then(|r| spec.resolve(r));
        match resolved {
            Err(e) => out.push(Violation::new(ptr, loc, e)),
            Ok((target, target_loc)) => {
                let key = (target_loc, ptr.to_owned());
                if self.active_refs.contains(&key) {
                    out.push(Violation::new(
                        ptr,
                        loc,
                        format!("cyclic $ref to {} without descending into the value", key.0),
                    ));
                    return;
                }
                let target_loc = key.0.clone();
                self.active_refs.push(key);
                self.validate(target, &target_loc, value, ptr, depth, out);
                self.active_refs.pop();
            }
        }
    }

    fn check_string(
        &mut self,
        schema: &Map<String, Value>,
        loc: &str,
        s: &str,
        ptr: &str,
        out: &mut Vec<Violation>,
    ) {
        let length = u64::try_from(s.chars().count()).unwrap_or(u64::MAX);
        if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
            && length < min
        {
            out.push(Violation::new(
                ptr,
                loc,
                format!("string of {length} characters is shorter than minLength {min}"),
            ));
        }
        if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
            && length > max
        {
            out.push(Violation::new(
                ptr,
                loc,
                format!("string of {length} characters is longer than maxLength {max}"),
            ));
        }
        if let Some(pattern) = schema.get("pattern") {
            match pattern.as_str().map(|p| (p, self.spec.regex(p))) {
                None => out.push(Violation::new(
                    ptr,
                    loc,
                    "invalid schema: pattern is not a string".to_owned(),
                )),
                Some((p, Err(e))) => {
                    out.push(Violation::new(
                        ptr,
                        loc,
                        format!("pattern {p:?} does not compile: {e}"),
                    ));
                }
                Some((p, Ok(re))) => {
                    if !re.is_match(s) {
                        out.push(Violation::new(
                            ptr,
                            loc,
                            format!("{} does not match pattern {p:?}", short_str(s)),
                        ));
                    }
                }
            }
        }
        if let Some(format) = schema.get("format").and_then(Value::as_str) {
            let valid = match format {
                "uuid" => is_uuid(s),
                "date" => is_date(s),
                "date-time" => is_date_time(s),
                _ => true,
            };
            if !valid {
                out.push(Violation::new(
                    ptr,
                    loc,
                    format!("{} is not a valid {format}", short_str(s)),
                ));
            }
        }
    }

    fn check_array(
        &mut self,
        schema: &Map<String, Value>,
        loc: &str,
        items: &[Value],
        ptr: &str,
        depth: usize,
        out: &mut Vec<Violation>,
    ) {
        let count = u64::try_from(items.len()).unwrap_or(u64::MAX);
        if let Some(min) = schema.get("minItems").and_then(Value::as_u64)
            && count < min
        {
            out.push(Violation::new(
                ptr,
                loc,
                format!("array of {count} items has fewer than minItems {min}"),
            ));
        }
        if let Some(max) = schema.get("maxItems").and_then(Value::as_u64)
            && count > max
        {
            out.push(Violation::new(
                ptr,
                loc,
                format!("array of {count} items has more than maxItems {max}"),
            ));
        }
        if schema.get("uniqueItems") == Some(&Value::Bool(true)) {
            let duplicate = items.iter().enumerate().find_map(|(i, a)| {
                items
                    .iter()
                    .enumerate()
                    .skip(i.saturating_add(1))
                    .find(|(_, b)| json_eq(a, b))
                    .map(|(j, _)| (i, j))
            });
            if let Some((i, j)) = duplicate {
                out.push(Violation::new(
                    ptr,
                    loc,
                    format!("items {i} and {j} are equal (uniqueItems)"),
                ));
            }
        }
        // 2020-12 `prefixItems` + `items`; draft-04 style array `items` + `additionalItems`.
        let (prefix, prefix_key, rest, rest_key) = match schema.get("items") {
            Some(Value::Array(tuple)) => (
                Some(tuple),
                "items",
                schema.get("additionalItems"),
                "additionalItems",
            ),
            items => (
                schema.get("prefixItems").and_then(Value::as_array),
                "prefixItems",
                items,
                "items",
            ),
        };
        let prefix_len = prefix.map_or(0, Vec::len);
        for (i, item) in items.iter().enumerate() {
            let item_ptr = format!("{ptr}/{i}");
            match prefix.and_then(|p| p.get(i)) {
                Some(sub) => {
                    let sub_loc = format!("{loc}/{prefix_key}/{i}");
                    self.validate(sub, &sub_loc, item, &item_ptr, depth, out);
                }
                None if i >= prefix_len => {
                    if let Some(sub) = rest {
                        let sub_loc = format!("{loc}/{rest_key}");
                        self.validate(sub, &sub_loc, item, &item_ptr, depth, out);
                    }
                }
                None => {}
            }
        }
        if let Some(contains) = schema.get("contains") {
            let sub_loc = format!("{loc}/contains");
            let mut found: u64 = 0;
            for (i, item) in items.iter().enumerate() {
                let mut scratch = Vec::new();
                self.validate(
                    contains,
                    &sub_loc,
                    item,
                    &format!("{ptr}/{i}"),
                    depth,
                    &mut scratch,
                );
                if scratch.is_empty() {
                    found = found.saturating_add(1);
                }
            }
            let min = schema
                .get("minContains")
                .and_then(Value::as_u64)
                .unwrap_or(1);
            if found < min {
                out.push(Violation::new(
                    ptr,
                    loc,
                    format!("{found} items match \"contains\", fewer than {min}"),
                ));
            }
            if let Some(max) = schema.get("maxContains").and_then(Value::as_u64)
                && found > max
            {
                out.push(Violation::new(
                    ptr,
                    loc,
                    format!("{found} items match \"contains\", more than maxContains {max}"),
                ));
            }
        }
    }

    fn check_object(
        &mut self,
        schema: &Map<String, Value>,
        loc: &str,
        map: &Map<String, Value>,
        ptr: &str,
        depth: usize,
        out: &mut Vec<Violation>,
    ) {
        let count = u64::try_from(map.len()).unwrap_or(u64::MAX);
        if let Some(min) = schema.get("minProperties").and_then(Value::as_u64)
            && count < min
        {
            out.push(Violation::new(
                ptr,
                loc,
                format!("object of {count} properties has fewer than minProperties {min}"),
            ));
        }
        if let Some(max) = schema.get("maxProperties").and_then(Value::as_u64)
            && count > max
        {
            out.push(Violation::new(
                ptr,
                loc,
                format!("object of {count} properties has more than maxProperties {max}"),
            ));
        }
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            for name in required.iter().filter_map(Value::as_str) {
                if !map.contains_key(name) {
                    out.push(Violation::new(
                        ptr,
                        loc,
                        format!("missing required property {name:?}"),
                    ));
                }
            }
        }
        if let Some(dependent) = schema.get("dependentRequired").and_then(Value::as_object) {
            for (trigger, names) in dependent {
                if !map.contains_key(trigger) {
                    continue;
                }
                for name in names
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    if !map.contains_key(name) {
                        out.push(Violation::new(
                            ptr,
                            loc,
                            format!(
                                "missing property {name:?}, required when {trigger:?} is present"
                            ),
                        ));
                    }
                }
            }
        }
        if let Some(dependent) = schema.get("dependentSchemas").and_then(Value::as_object) {
            for (trigger, sub) in dependent {
                if map.contains_key(trigger) {
                    let sub_loc = format!("{loc}/dependentSchemas/{}", escape_token(trigger));
                    self.validate(sub, &sub_loc, &Value::Object(map.clone()), ptr, depth, out);
                }
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        let mut patterns = Vec::new();
        if let Some(pattern_properties) = schema.get("patternProperties").and_then(Value::as_object)
        {
            for (pattern, sub) in pattern_properties {
                match self.spec.regex(pattern) {
                    Ok(re) => patterns.push((pattern, re, sub)),
                    Err(e) => out.push(Violation::new(
                        ptr,
                        loc,
                        format!("patternProperties pattern {pattern:?} does not compile: {e}"),
                    )),
                }
            }
        }
        let additional = schema.get("additionalProperties");
        let names = schema.get("propertyNames");
        for (key, item) in map {
            let item_ptr = format!("{ptr}/{}", escape_token(key));
            let mut known = false;
            if let Some(sub) = properties.and_then(|p| p.get(key)) {
                known = true;
                let sub_loc = format!("{loc}/properties/{}", escape_token(key));
                self.validate(sub, &sub_loc, item, &item_ptr, depth, out);
            }
            for (pattern, re, sub) in &patterns {
                if re.is_match(key) {
                    known = true;
                    let sub_loc = format!("{loc}/patternProperties/{}", escape_token(pattern));
                    self.validate(sub, &sub_loc, item, &item_ptr, depth, out);
                }
            }
            match additional {
                Some(Value::Bool(false)) if !known => out.push(Violation::new(
                    &item_ptr,
                    loc,
                    "property is not allowed (additionalProperties: false)".to_owned(),
                )),
                Some(sub) if !known => {
                    let sub_loc = format!("{loc}/additionalProperties");
                    self.validate(sub, &sub_loc, item, &item_ptr, depth, out);
                }
                _ => {}
            }
            if let Some(sub) = names {
                let mut scratch = Vec::new();
                let sub_loc = format!("{loc}/propertyNames");
                self.validate(
                    sub,
                    &sub_loc,
                    &Value::String(key.clone()),
                    &item_ptr,
                    depth,
                    &mut scratch,
                );
                out.extend(scratch.into_iter().map(|v| Violation {
                    message: format!("property name {}", v.message),
                    ..v
                }));
            }
        }
    }

    fn check_combinators(
        &mut self,
        schema: &Map<String, Value>,
        loc: &str,
        value: &Value,
        ptr: &str,
        depth: usize,
        out: &mut Vec<Violation>,
    ) {
        for keyword in ["allOf", "anyOf", "oneOf"] {
            let Some(branches) = schema.get(keyword) else {
                continue;
            };
            let Some(branches) = branches.as_array() else {
                out.push(Violation::new(
                    ptr,
                    loc,
                    format!("invalid schema: {keyword} is not an array"),
                ));
                continue;
            };
            let mut results = Vec::with_capacity(branches.len());
            for (i, branch) in branches.iter().enumerate() {
                let mut errors = Vec::new();
                self.validate(
                    branch,
                    &format!("{loc}/{keyword}/{i}"),
                    value,
                    ptr,
                    depth,
                    &mut errors,
                );
                let matched = errors.is_empty();
                results.push(errors);
                if keyword == "anyOf" && matched {
                    break;
                }
            }
            if keyword == "allOf" {
                out.extend(results.into_iter().flatten());
                continue;
            }
            let matched: Vec<usize> = results
                .iter()
                .enumerate()
                .filter(|(_, e)| e.is_empty())
                .map(|(i, _)| i)
                .collect();
            match matched.as_slice() {
                [] => {
                    let best = results.into_iter().enumerate().min_by_key(|(_, errors)| {
                        let mismatches = errors
                            .iter()
                            .filter(|e| e.mismatch && e.instance == ptr)
                            .count();
                        (mismatches, errors.len())
                    });
                    let n = branches.len();
                    match best {
                        Some((i, errors)) => {
                            out.push(Violation::mismatch(
                                ptr,
                                loc,
                                format!("matches none of the {n} {keyword} branches; closest is branch {i}:"),
                            ));
                            out.extend(errors);
                        }
                        None => out.push(Violation::mismatch(
                            ptr,
                            loc,
                            format!("{keyword} has no branches"),
                        )),
                    }
                }
                [_] => {}
                many => {
                    if keyword == "oneOf" {
                        let list: Vec<String> = many.iter().map(usize::to_string).collect();
                        out.push(Violation::new(
                            ptr,
                            loc,
                            format!(
                                "matches oneOf branches {} (exactly one must match)",
                                list.join(", ")
                            ),
                        ));
                    }
                }
            }
        }
        if let Some(not) = schema.get("not") {
            let mut scratch = Vec::new();
            self.validate(not, &format!("{loc}/not"), value, ptr, depth, &mut scratch);
            if scratch.is_empty() {
                out.push(Violation::new(
                    ptr,
                    loc,
                    "matches the \"not\" schema".to_owned(),
                ));
            }
        }
        if let Some(condition) = schema.get("if") {
            let mut scratch = Vec::new();
            self.validate(
                condition,
                &format!("{loc}/if"),
                value,
                ptr,
                depth,
                &mut scratch,
            );
            let branch = if scratch.is_empty() { "then" } else { "else" };
            if let Some(sub) = schema.get(branch) {
                self.validate(sub, &format!("{loc}/{branch}"), value, ptr, depth, out);
            }
        }
    }
}

fn check_type(
    schema: &Map<String, Value>,
    loc: &str,
    value: &Value,
    ptr: &str,
    out: &mut Vec<Violation>,
) {
    let Some(types) = schema.get("type") else {
        return;
    };
    if value.is_null() && schema.get("nullable") == Some(&Value::Bool(true)) {
        return;
    }
    let ok = match types {
        Value::String(t) => type_matches(t, value),
        Value::Array(list) if list.iter().all(Value::is_string) => list
            .iter()
            .filter_map(Value::as_str)
            .any(|t| type_matches(t, value)),
        _ => {
            out.push(Violation::new(
                ptr,
                loc,
                format!("invalid schema: type {}", short(types)),
            ));
            return;
        }
    };
    if !ok {
        out.push(Violation::mismatch(
            ptr,
            loc,
            format!("{} is not of type {types}", describe(value)),
        ));
    }
}

fn type_matches(name: &str, value: &Value) -> bool {
    match name {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => matches!(value, Value::Number(n) if is_integer(n)),
        _ => false,
    }
}

fn is_integer(n: &Number) -> bool {
    n.is_i64()
        || n.is_u64()
        || n.as_f64()
            .is_some_and(|f| f.is_finite() && f.fract() == 0.0)
}

fn check_number(
    schema: &Map<String, Value>,
    loc: &str,
    n: &Number,
    ptr: &str,
    out: &mut Vec<Violation>,
) {
    let Some(x) = n.as_f64() else {
        return;
    };
    let bound = |key: &str| schema.get(key).and_then(|v| v.as_f64().map(|f| (f, v)));
    // OpenAPI 3.0 / draft-04: boolean exclusiveMinimum/Maximum modify minimum/maximum.
    let old_exclusive = |key: &str| schema.get(key) == Some(&Value::Bool(true));
    if let Some((min, raw)) = bound("minimum") {
        if old_exclusive("exclusiveMinimum") {
            if x <= min {
                out.push(Violation::new(
                    ptr,
                    loc,
                    format!("{n} is not greater than exclusive minimum {raw}"),
                ));
            }
        } else if x < min {
            out.push(Violation::new(
                ptr,
                loc,
                format!("{n} is less than minimum {raw}"),
            ));
        }
    }
    if let Some((max, raw)) = bound("maximum") {
        if old_exclusive("exclusiveMaximum") {
            if x >= max {
                out.push(Violation::new(
                    ptr,
                    loc,
                    format!("{n} is not less than exclusive maximum {raw}"),
                ));
            }
        } else if x > max {
            out.push(Violation::new(
                ptr,
                loc,
                format!("{n} is greater than maximum {raw}"),
            ));
        }
    }
    if let Some((min, raw)) = bound("exclusiveMinimum")
        && x <= min
    {
        out.push(Violation::new(
            ptr,
            loc,
            format!("{n} is not greater than exclusiveMinimum {raw}"),
        ));
    }
    if let Some((max, raw)) = bound("exclusiveMaximum")
        && x >= max
    {
        out.push(Violation::new(
            ptr,
            loc,
            format!("{n} is not less than exclusiveMaximum {raw}"),
        ));
    }
    if let Some(divisor) = schema.get("multipleOf").and_then(Value::as_number) {
        let multiple = match (n.as_i64(), divisor.as_i64()) {
            (Some(a), Some(b)) => a.checked_rem(b).is_some_and(|r| r == 0),
            _ => match divisor.as_f64() {
                Some(d) if d != 0.0 => {
                    let q = x / d;
                    (q - q.round()).abs() <= 1e-9 * q.abs().max(1.0)
                }
                _ => false,
            },
        };
        if !multiple {
            out.push(Violation::new(
                ptr,
                loc,
                format!("{n} is not a multiple of {divisor}"),
            ));
        }
    }
}

/// JSON equality with numbers compared by value (so `1` equals `1.0`).
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            match (x.as_i64(), y.as_i64(), x.as_u64(), y.as_u64()) {
                (Some(p), Some(q), _, _) => p == q,
                (_, _, Some(p), Some(q)) => p == q,
                _ => x.as_f64() == y.as_f64(),
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                b == b'-'
            } else {
                b.is_ascii_hexdigit()
            }
        })
}

fn digits(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| {
            acc.saturating_mul(10)
                .saturating_add(u32::from(c.saturating_sub(b'0')))
        })
    })
}

/// RFC 3339 `full-date`: YYYY-MM-DD, a real calendar day.
fn is_date(s: &str) -> bool {
    let [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] = s.as_bytes() else {
        return false;
    };
    let (Some(year), Some(month), Some(day)) = (
        digits(&[*y1, *y2, *y3, *y4]),
        digits(&[*m1, *m2]),
        digits(&[*d1, *d2]),
    ) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// RFC 3339 `date-time`: full-date "T" partial-time [frac] ("Z" / ±hh:mm); T and Z any case.
fn is_date_time(s: &str) -> bool {
    let Some((date, time)) = s.split_once(['T', 't']) else {
        return false;
    };
    if !is_date(date) {
        return false;
    }
    let [h1, h2, b':', m1, m2, b':', s1, s2, rest @ ..] = time.as_bytes() else {
        return false;
    };
    let hms_ok = digits(&[*h1, *h2]).is_some_and(|h| h <= 23)
        && digits(&[*m1, *m2]).is_some_and(|m| m <= 59)
        && digits(&[*s1, *s2]).is_some_and(|s| s <= 60);
    if !hms_ok {
        return false;
    }
    let offset = match rest {
        [b'.', fraction @ ..] => {
            let n = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return false;
            }
            fraction.get(n..).unwrap_or_default()
        }
        _ => rest,
    };
    match offset {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            digits(&[*h1, *h2]).is_some_and(|h| h <= 23)
                && digits(&[*m1, *m2]).is_some_and(|m| m <= 59)
        }
        _ => false,
    }
}

/// Matches one path segment against a template segment such as `{id}` or `{name}.json`;
/// each variable matches one or more characters.
fn segment_matches(template: &str, segment: &str) -> bool {
    let mut literals = Vec::new();
    let mut rest = template;
    while let Some((literal, after)) = rest.split_once('{') {
        literals.push(literal);
        rest = match after.split_once('}') {
            Some((_, tail)) => tail,
            None => return template == segment,
        };
    }
    literals.push(rest);
    match_pieces(&literals, segment)
}

/// `literals` alternate with variables: lit0 var lit1 var ... litN.
fn match_pieces(literals: &[&str], s: &str) -> bool {
    match literals {
        [] => s.is_empty(),
        [only] => s == *only,
        [first, rest @ ..] => {
            let Some(s) = s.strip_prefix(first) else {
                return false;
            };
            s.char_indices()
                .skip(1)
                .map(|(i, _)| i)
                .chain(std::iter::once(s.len()))
                .filter(|&i| i > 0)
                .any(|i| s.get(i..).is_some_and(|tail| match_pieces(rest, tail)))
        }
    }
}

fn pick_status(responses: &Map<String, Value>, status: u16) -> Option<(&str, &Value)> {
    let exact = status.to_string();
    let range = format!("{}XX", status / 100);
    responses
        .get_key_value(&exact)
        .or_else(|| {
            responses
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(&range))
        })
        .or_else(|| responses.get_key_value("default"))
        .map(|(k, v)| (k.as_str(), v))
}

/// The media type without parameters, lower-cased: `application/json; charset=utf-8` → `application/json`.
fn essence(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

fn is_json(essence: &str) -> bool {
    essence == "application/json" || essence.ends_with("+json")
}

/// The documented media type for `want`: exact, then `type/*`, then `*/*`.
fn find_media<'a>(content: &'a Map<String, Value>, want: &str) -> Option<(&'a str, &'a Value)> {
    let main_type = want.split('/').next().unwrap_or_default();
    let wildcard = format!("{main_type}/*");
    [want, wildcard.as_str(), "*/*"]
        .into_iter()
        .find_map(|candidate| {
            content
                .iter()
                .find(|(k, _)| essence(k) == candidate)
                .map(|(k, v)| (k.as_str(), v))
        })
}

/// `#/components/{section}/{name}` for a `$ref` into a component, else `None`.
fn component_key(reference: &str) -> Option<String> {
    let fragment = percent_decode(reference.strip_prefix('#')?);
    let mut tokens = fragment.strip_prefix("/components/")?.split('/');
    let section = tokens.next()?;
    let name = tokens.next()?;
    Some(format!("#/components/{section}/{name}"))
}

/// Every `$ref` (and discriminator mapping target) anywhere inside `value`.
fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                out.push(reference.to_owned());
            }
            let mapping = map
                .get("discriminator")
                .and_then(|d| d.get("mapping"))
                .and_then(Value::as_object);
            for target in mapping
                .into_iter()
                .flat_map(|m| m.values())
                .filter_map(Value::as_str)
            {
                if target.starts_with('#') {
                    out.push(target.to_owned());
                } else {
                    out.push(format!("#/components/schemas/{}", escape_token(target)));
                }
            }
            for child in map.values() {
                collect_refs(child, out);
            }
        }
        Value::Array(items) => {
            for child in items {
                collect_refs(child, out);
            }
        }
        _ => {}
    }
}

/// JSON Pointer (RFC 6901) token escaping.
fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_owned();
    }
    let hex = |b: u8| {
        char::from(b)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let mut ahead = bytes.clone();
            if let (Some(high), Some(low)) =
                (ahead.next().and_then(hex), ahead.next().and_then(hex))
            {
                out.push(high.saturating_mul(16).saturating_add(low));
                bytes = ahead;
                continue;
            }
        }
        out.push(b);
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let head: String = text.chars().take(max.saturating_sub(3)).collect();
    format!("{head}...")
}

fn short(value: &Value) -> String {
    clip(&value.to_string(), 60)
}

/// An instance in a message: scalars as JSON, containers by kind (their contents are noise).
fn describe(value: &Value) -> String {
    match value {
        Value::Object(map) => format!("object of {} properties", map.len()),
        Value::Array(items) => format!("array of {} items", items.len()),
        scalar => short(scalar),
    }
}

fn short_str(s: &str) -> String {
    clip(&Value::String(s.to_owned()).to_string(), 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const LOC: &str = "#/paths/~1t/get/responses/200/content/application~1json/schema";

    fn spec_with(schema: Value, schemas: Value) -> Spec {
        Spec::new(json!({
            "openapi": "3.1.0",
            "paths": {"/t": {"get": {"responses": {"200": {
                "description": "ok",
                "content": {"application/json": {"schema": schema}}
            }}}}},
            "components": {"schemas": schemas}
        }))
    }

    fn check(spec: &Spec, body: &Value) -> Vec<String> {
        spec.check_response(
            "GET",
            "/t",
            200,
            Some("application/json"),
            body.to_string().as_bytes(),
        )
        .err()
        .unwrap_or_default()
    }

    fn errs(schema: Value, body: Value) -> Vec<String> {
        check(&spec_with(schema, json!({})), &body)
    }

    fn ok(schema: &Value, body: Value) -> bool {
        errs(schema.clone(), body).is_empty()
    }

    #[test]
    fn type_keyword() {
        let integer = json!({"type": "integer"});
        assert!(ok(&integer, json!(3)));
        assert!(ok(&integer, json!(-3)));
        assert!(ok(&integer, json!(3.0)));
        assert!(!ok(&integer, json!(3.5)));
        assert!(!ok(&integer, json!("3")));
        let number = json!({"type": "number"});
        assert!(ok(&number, json!(3.5)) && ok(&number, json!(3)) && !ok(&number, json!(null)));
        assert!(ok(&json!({"type": "boolean"}), json!(false)));
        assert!(ok(&json!({"type": "null"}), json!(null)));
        assert!(ok(&json!({"type": "object"}), json!({})));
        assert!(!ok(&json!({"type": "object"}), json!([])));
        let nullable = json!({"type": ["string", "null"]});
        assert!(
            ok(&nullable, json!("a")) && ok(&nullable, json!(null)) && !ok(&nullable, json!(1))
        );
        assert_eq!(
            errs(nullable, json!(1)),
            vec![format!(
                "(root): 1 is not of type [\"string\",\"null\"] (schema {LOC})"
            )]
        );
        // OpenAPI 3.0 style.
        assert!(ok(
            &json!({"type": "string", "nullable": true}),
            json!(null)
        ));
        assert!(!ok(&json!({"type": "string"}), json!(null)));
    }

    #[test]
    fn enum_message_through_ref() {
        let spec = spec_with(
            json!({"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Mission"}}}}),
            json!({
                "Mission": {"type": "object", "properties": {"outcomes": {"type": "array", "items": {"$ref": "#/components/schemas/Outcome"}}}},
                "Outcome": {"type": "object", "properties": {"status": {"type": "string", "enum": ["planned", "active"]}}}
            }),
        );
        let body = json!({"items": [{"outcomes": [{"status": "active"}, {"status": "done"}]}]});
        assert_eq!(
            check(&spec, &body),
            vec![
                "/items/0/outcomes/1/status: \"done\" is not one of [\"planned\",\"active\"] (schema #/components/schemas/Outcome/properties/status)"
                    .to_owned()
            ]
        );
    }

    #[test]
    fn enum_and_const() {
        let e = json!({"enum": [1, "a", null, {"x": [1]}]});
        assert!(
            ok(&e, json!(1.0))
                && ok(&e, json!("a"))
                && ok(&e, json!(null))
                && ok(&e, json!({"x": [1.0]}))
        );
        assert!(!ok(&e, json!("b")) && !ok(&e, json!({"x": [2]})));
        let c = json!({"const": "fixed"});
        assert!(ok(&c, json!("fixed")));
        assert_eq!(
            errs(c, json!("float")),
            vec![format!(
                "(root): \"float\" is not the constant \"fixed\" (schema {LOC})"
            )]
        );
    }

    #[test]
    fn required_properties_additional() {
        let s = json!({
            "type": "object",
            "required": ["id", "note"],
            "properties": {"id": {"type": "string"}, "note": {"type": ["string", "null"]}, "a/b": {"type": "integer"}},
            "additionalProperties": false
        });
        assert!(
            ok(&s, json!({"id": "x", "note": null})),
            "null counts as present"
        );
        assert_eq!(
            errs(s.clone(), json!({"id": "x"})),
            vec![format!(
                "(root): missing required property \"note\" (schema {LOC})"
            )]
        );
        assert_eq!(
            errs(s.clone(), json!({"id": "x", "note": null, "extra": 1})),
            vec![format!(
                "/extra: property is not allowed (additionalProperties: false) (schema {LOC})"
            )]
        );
        assert_eq!(
            errs(s, json!({"id": "x", "note": null, "a/b": "no"})),
            vec![format!(
                "/a~1b: \"no\" is not of type \"integer\" (schema {LOC}/properties/a~1b)"
            )]
        );
        let open = json!({"type": "object", "properties": {"id": {"type": "string"}}});
        assert!(
            ok(&open, json!({"id": "x", "anything": [1, 2]})),
            "absent additionalProperties allows"
        );
        let map = json!({"type": "object", "additionalProperties": {"type": "string"}, "propertyNames": {"pattern": "^[a-z]+$"}});
        assert!(ok(&map, json!({"a": "x", "b": "y"})));
        assert!(!ok(&map, json!({"a": 1})));
        assert_eq!(
            errs(map, json!({"A": "x"})),
            vec![format!(
                "/A: property name \"A\" does not match pattern \"^[a-z]+$\" (schema {LOC}/propertyNames)"
            )]
        );
        let pattern_props = json!({"patternProperties": {"^x-": {"type": "integer"}}, "additionalProperties": false});
        assert!(ok(&pattern_props, json!({"x-a": 1})));
        assert!(!ok(&pattern_props, json!({"x-a": "1"})));
        assert!(!ok(&pattern_props, json!({"y": 1})));
        let counts = json!({"minProperties": 1, "maxProperties": 2});
        assert!(
            ok(&counts, json!({"a": 1}))
                && !ok(&counts, json!({}))
                && !ok(&counts, json!({"a": 1, "b": 2, "c": 3}))
        );
        let dependent = json!({"dependentRequired": {"a": ["b"]}});
        assert!(ok(&dependent, json!({"b": 1})) && !ok(&dependent, json!({"a": 1})));
    }

    #[test]
    fn array_keywords() {
        let s = json!({"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 3, "uniqueItems": true});
        assert!(ok(&s, json!([1, 2, 3])));
        assert!(!ok(&s, json!([])));
        assert!(!ok(&s, json!([1, 2, 3, 4])));
        assert_eq!(
            errs(s.clone(), json!([1, "2"])),
            vec![format!(
                "/1: \"2\" is not of type \"integer\" (schema {LOC}/items)"
            )]
        );
        assert_eq!(
            errs(s, json!([1, 2, 1.0])),
            vec![format!(
                "(root): items 0 and 2 are equal (uniqueItems) (schema {LOC})"
            )]
        );
        let tuple = json!({"prefixItems": [{"type": "string"}], "items": {"type": "integer"}});
        assert!(
            ok(&tuple, json!(["a", 1, 2]))
                && !ok(&tuple, json!([1]))
                && !ok(&tuple, json!(["a", "b"]))
        );
        let contains = json!({"contains": {"const": 5}, "maxContains": 1});
        assert!(
            ok(&contains, json!([1, 5]))
                && !ok(&contains, json!([1]))
                && !ok(&contains, json!([5, 5]))
        );
        // Non-arrays are not constrained by array keywords.
        assert!(ok(&json!({"minItems": 2}), json!("x")));
    }

    #[test]
    fn string_length_and_pattern() {
        let s = json!({"type": "string", "minLength": 2, "maxLength": 3, "pattern": "[0-9]"});
        assert!(ok(&s, json!("a1")));
        assert!(ok(&s, json!("é1é")), "length counts characters, not bytes");
        assert_eq!(
            errs(s.clone(), json!("1")),
            vec![format!(
                "(root): string of 1 characters is shorter than minLength 2 (schema {LOC})"
            )]
        );
        assert!(!ok(&s, json!("a123")));
        assert_eq!(
            errs(s, json!("ab")),
            vec![format!(
                "(root): \"ab\" does not match pattern \"[0-9]\" (schema {LOC})"
            )]
        );
        let anchored = json!({"pattern": "^[A-Za-z0-9._-]+$"});
        assert!(ok(&anchored, json!("a.b-c")) && !ok(&anchored, json!("a b")));
        let bad = json!({"pattern": "(?=x)"});
        let first = errs(bad.clone(), json!("x"));
        assert_eq!(first.len(), 1);
        assert!(
            first
                .first()
                .is_some_and(|e| e.contains("does not compile")),
            "{first:?}"
        );
        assert_eq!(errs(bad, json!("x")), first, "cached result is the same");
    }

    #[test]
    fn formats() {
        let uuid = json!({"type": "string", "format": "uuid"});
        assert!(ok(&uuid, json!("0190a8b4-7c1e-7000-8000-00000000abcd")));
        assert!(ok(&uuid, json!("0190A8B4-7C1E-7000-8000-00000000ABCD")));
        assert!(!ok(&uuid, json!("0190a8b4-7c1e-7000-8000-00000000abc")));
        assert!(!ok(&uuid, json!("0190a8b47c1e70008000000000000abcdef")));
        assert!(!ok(&uuid, json!("0190a8b4-7c1e-7000-8000-00000000abcg")));
        assert_eq!(
            errs(uuid.clone(), json!("nope")),
            vec![format!(
                "(root): \"nope\" is not a valid uuid (schema {LOC})"
            )]
        );
        assert!(
            ok(&json!({"format": "uuid"}), json!(5)),
            "format applies to strings only"
        );
        let date = json!({"format": "date"});
        assert!(
            ok(&date, json!("2024-02-29"))
                && ok(&date, json!("2000-02-29"))
                && ok(&date, json!("2023-12-31"))
        );
        for bad in [
            "2023-02-29",
            "1900-02-29",
            "2024-13-01",
            "2024-04-31",
            "2024-00-10",
            "2024-1-01",
            "2024-01-01T00:00:00Z",
            "",
        ] {
            assert!(!ok(&date, json!(bad)), "{bad}");
        }
        let date_time = json!({"format": "date-time"});
        for good in [
            "2024-05-01T12:30:00Z",
            "2024-05-01t12:30:00.123456z",
            "2024-05-01T23:59:60+01:00",
            "2024-05-01T00:00:00-05:30",
        ] {
            assert!(ok(&date_time, json!(good)), "{good}");
        }
        for bad in [
            "2024-05-01T12:30:00",
            "2024-05-01 12:30:00Z",
            "2024-05-01T24:00:00Z",
            "2024-05-01T12:30:00.Z",
            "2024-02-30T00:00:00Z",
            "2024-05-01T12:30Z",
            "2024-05-01T12:30:00+0100",
        ] {
            assert!(!ok(&date_time, json!(bad)), "{bad}");
        }
        assert!(
            ok(
                &json!({"type": "integer", "format": "int32"}),
                json!(5_000_000_000_i64)
            ),
            "other formats ignored"
        );
        assert!(ok(&json!({"format": "email"}), json!("not an email")));
    }

    #[test]
    fn numeric_bounds() {
        let s = json!({"type": "integer", "minimum": 0, "maximum": 60});
        assert!(ok(&s, json!(0)) && ok(&s, json!(60)));
        assert_eq!(
            errs(s.clone(), json!(-1)),
            vec![format!("(root): -1 is less than minimum 0 (schema {LOC})")]
        );
        assert!(!ok(&s, json!(61)));
        let exclusive = json!({"exclusiveMinimum": 0, "exclusiveMaximum": 1.5});
        assert!(
            ok(&exclusive, json!(1)) && !ok(&exclusive, json!(0)) && !ok(&exclusive, json!(1.5))
        );
        let old = json!({"minimum": 0, "exclusiveMinimum": true});
        assert!(ok(&old, json!(0.1)) && !ok(&old, json!(0)));
        let multiple = json!({"multipleOf": 5});
        assert!(ok(&multiple, json!(10)) && !ok(&multiple, json!(11)));
        let cents = json!({"multipleOf": 0.01});
        assert!(ok(&cents, json!(19.99)) && !ok(&cents, json!(19.999)));
    }

    #[test]
    fn combinators() {
        let one = json!({"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 10}]});
        assert!(ok(&one, json!(5)) && ok(&one, json!(10.5)));
        assert_eq!(
            errs(one.clone(), json!(12)),
            vec![format!(
                "(root): matches oneOf branches 0, 1 (exactly one must match) (schema {LOC})"
            )]
        );
        let none = errs(one, json!("x"));
        assert_eq!(none.first().map(String::as_str), Some(format!("(root): matches none of the 2 oneOf branches; closest is branch 0: (schema {LOC})").as_str()));
        // The closest branch is the one whose type fits, not the one with fewest errors.
        let nullable_ref = spec_with(
            json!({"oneOf": [{"$ref": "#/components/schemas/Link"}, {"type": "null"}]}),
            json!({"Link": {"type": "object", "required": ["a", "b"]}}),
        );
        assert!(check(&nullable_ref, &json!(null)).is_empty());
        assert_eq!(
            check(&nullable_ref, &json!({})),
            vec![
                format!(
                    "(root): matches none of the 2 oneOf branches; closest is branch 0: (schema {LOC})"
                ),
                "(root): missing required property \"a\" (schema #/components/schemas/Link)"
                    .to_owned(),
                "(root): missing required property \"b\" (schema #/components/schemas/Link)"
                    .to_owned(),
            ]
        );
        let any = json!({"anyOf": [{"type": "string"}, {"minimum": 3}]});
        assert!(ok(&any, json!("x")) && ok(&any, json!(4)) && !ok(&any, json!(1)));
        let all = json!({"allOf": [{"type": "object", "required": ["a"]}, {"properties": {"b": {"type": "string"}}}]});
        assert!(ok(&all, json!({"a": 1, "b": "x"})));
        assert_eq!(errs(all, json!({"b": 1})).len(), 2);
        let not = json!({"not": {"type": "null"}});
        assert!(ok(&not, json!(1)) && !ok(&not, json!(null)));
        let cond = json!({"if": {"properties": {"k": {"const": "a"}}}, "then": {"required": ["x"]}, "else": {"required": ["y"]}});
        assert!(ok(&cond, json!({"k": "a", "x": 1})) && ok(&cond, json!({"k": "b", "y": 1})));
        assert!(!ok(&cond, json!({"k": "a", "y": 1})));
        assert!(
            ok(
                &json!({"discriminator": {"propertyName": "kind"}}),
                json!({})
            ),
            "discriminator is informational"
        );
    }

    #[test]
    fn boolean_schemas_and_unsupported() {
        assert!(ok(&json!(true), json!({"a": 1})));
        assert!(!ok(&json!(false), json!(1)));
        let s = json!({"type": "object", "properties": {"a": true, "b": false}});
        assert!(ok(&s, json!({"a": 1})) && !ok(&s, json!({"b": 1})));
        let errors = errs(json!({"unevaluatedProperties": false}), json!({}));
        assert_eq!(
            errors,
            vec![format!(
                "(root): unsupported keyword \"unevaluatedProperties\" (schema {LOC})"
            )]
        );
        assert!(!errs(json!({"$ref": "other.json#/x"}), json!({})).is_empty());
        assert!(!errs(json!({"$ref": "#/components/schemas/Missing"}), json!({})).is_empty());
    }

    #[test]
    fn cyclic_refs_are_safe() {
        let tree = spec_with(
            json!({"$ref": "#/components/schemas/Node"}),
            json!({"Node": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}}}),
        );
        assert!(check(&tree, &json!({"children": [{"children": []}, {}]})).is_empty());
        assert_eq!(
            check(&tree, &json!({"children": [{"children": 1}]})).len(),
            1
        );
        let self_loop = spec_with(
            json!({"$ref": "#/components/schemas/A"}),
            json!({"A": {"anyOf": [{"$ref": "#/components/schemas/B"}, {"$ref": "#/components/schemas/A"}]}, "B": {"allOf": [{"$ref": "#/components/schemas/A"}]}}),
        );
        let errors = check(&self_loop, &json!(1));
        assert!(
            errors.iter().any(|e| e.contains("cyclic $ref")),
            "{errors:?}"
        );
    }

    fn api_spec() -> Spec {
        let problem = json!({"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}});
        Spec::new(json!({
            "openapi": "3.1.0",
            "security": [{"bearer": []}],
            "paths": {
                "/tenders/{id}/lint": {"get": {"responses": {
                    "200": {"description": "", "content": {"application/json": {"schema": {"const": "lint"}}}}
                }}},
                "/tenders/{id}/{x}": {"get": {"responses": {
                    "200": {"description": "", "content": {"application/json": {"schema": {"const": "x"}}}},
                    "2XX": {"description": "", "content": {"application/json": {"schema": {"const": "range"}}}},
                    "default": {"$ref": "#/components/responses/Error"}
                }}},
                "/files/{name}.csv": {"get": {"responses": {
                    "200": {"description": "", "content": {"text/csv": {"schema": {"type": "string"}}}},
                    "204": {"description": "no body"},
                    "404": {"description": "", "content": problem}
                }}}
            },
            "components": {
                "schemas": {
                    "Problem": {"type": "object", "required": ["status"], "properties": {"status": {"type": "integer"}, "code": {"$ref": "#/components/schemas/Code"}}},
                    "Code": {"type": "string"},
                    "Orphan": {"properties": {"x": {"$ref": "#/components/schemas/OrphanChild"}}},
                    "OrphanChild": {"type": "string"}
                },
                "responses": {"Error": {"description": "", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}},
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}, "unused": {"type": "http", "scheme": "basic"}}
            }
        }))
    }

    #[test]
    fn operation_lookup() {
        let spec = api_spec();
        let json_ct = Some("application/json; charset=utf-8");
        assert_eq!(
            spec.check_response("GET", "/tenders/1/lint?full=1", 200, json_ct, b"\"lint\""),
            Ok(())
        );
        assert_eq!(
            spec.check_response("get", "/tenders/1/other", 200, json_ct, b"\"x\""),
            Ok(())
        );
        assert!(
            spec.check_response("GET", "/tenders/1/lint", 200, json_ct, b"\"x\"")
                .is_err()
        );
        assert_eq!(
            spec.check_response("GET", "/tenders/1/other", 201, json_ct, b"\"range\""),
            Ok(())
        );
        let problem = Some("application/problem+json");
        assert_eq!(
            spec.check_response(
                "GET",
                "/tenders/1/other",
                500,
                problem,
                br#"{"status":500}"#
            ),
            Ok(())
        );
        let default_errors = spec.check_response(
            "GET",
            "/tenders/1/other",
            500,
            problem,
            br#"{"status":"500"}"#,
        );
        assert_eq!(
            default_errors,
            Err(vec!["/status: \"500\" is not of type \"integer\" (schema #/components/schemas/Problem/properties/status)".to_owned()])
        );
        assert_eq!(
            spec.check_response("GET", "/nowhere", 200, json_ct, b"1"),
            Err(vec![
                "GET /nowhere: no path template in the spec matches".to_owned()
            ])
        );
        assert_eq!(
            spec.check_response("DELETE", "/tenders/1/lint", 200, json_ct, b"1"),
            Err(vec![
                "DELETE /tenders/{id}/lint: method not documented (documented: get)".to_owned()
            ])
        );
        assert_eq!(
            spec.check_response("GET", "/tenders/1/lint", 404, json_ct, b"1"),
            Err(vec![
                "GET /tenders/{id}/lint: status 404 not documented (documented: 200)".to_owned()
            ])
        );
        assert_eq!(
            spec.check_response("GET", "/tenders/1/lint", 200, Some("text/html"), b"1"),
            Err(vec!["GET /tenders/{id}/lint 200: media type \"text/html\" not documented (documented: application/json)".to_owned()])
        );
        assert!(
            spec.check_response("GET", "/tenders/1/lint", 200, None, b"1")
                .is_err()
        );
        let bad_json = spec
            .check_response("GET", "/tenders/1/lint", 200, json_ct, b"{")
            .err()
            .unwrap_or_default();
        assert!(
            bad_json
                .first()
                .is_some_and(|e| e.contains("not valid JSON")),
            "{bad_json:?}"
        );
        // Non-JSON media types: only status and media type are checked.
        assert_eq!(
            spec.check_response(
                "GET",
                "/files/report.csv",
                200,
                Some("text/csv; charset=utf-8"),
                b"a,b\n1,2\n"
            ),
            Ok(())
        );
        assert!(
            spec.check_response("GET", "/files/report.csv", 200, json_ct, b"1")
                .is_err()
        );
        assert!(
            spec.check_response("GET", "/files/.csv", 200, Some("text/csv"), b"")
                .is_err()
        );
        assert_eq!(
            spec.check_response("GET", "/files/r.csv", 404, problem, br#"{"status":404}"#),
            Ok(())
        );
        assert_eq!(
            spec.check_response("GET", "/files/r.csv", 204, None, b""),
            Ok(())
        );
        assert!(
            spec.check_response("GET", "/files/r.csv", 204, json_ct, b"{}")
                .is_err()
        );
    }

    #[test]
    fn unused_components_reachability() {
        assert_eq!(
            api_spec().unused_components(),
            vec![
                "#/components/schemas/Orphan".to_owned(),
                "#/components/schemas/OrphanChild".to_owned(),
                "#/components/securitySchemes/unused".to_owned(),
            ]
        );
    }
}
