//! Wire types shared by several resources: the JSON clients send and read, with the OpenAPI
//! schema each carries. They mirror domain values field by field, so the domain stays free of
//! HTTP and OpenAPI concerns and a change to either side is a visible change here.
//!
//! Each mirror is declared once with [`wire_enum!`], [`wire_struct!`] or [`wire_union!`], which
//! write the type and its conversions in both directions ([`Wire`]). Value grammars (decimals,
//! dates, UUIDs) are checked while the JSON is read; domain rules when the domain parses the
//! converted value.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};

pub mod assessment;
pub mod compliance;
pub mod decimal;
pub mod mission;
pub mod scoring;
pub mod tender;
pub mod whole;

pub use decimal::{Dec, Money};

/// A wire type that carries the domain value `D`.
pub trait Wire<D>: Sized {
    fn from_domain(value: D) -> Self;
    fn into_domain(self) -> D;
}

/// Types that are the same on the wire as in the domain.
macro_rules! same_on_the_wire {
    ($($t:ty),* $(,)?) => {$(
        impl Wire<$t> for $t {
            fn from_domain(value: $t) -> Self {
                value
            }
            fn into_domain(self) -> $t {
                self
            }
        }
    )*};
}

same_on_the_wire!(
    String,
    bool,
    u32,
    u64,
    i32,
    i64,
    NaiveDate,
    DateTime<Utc>,
    uuid::Uuid,
    crate::domain::ids::MissionId,
    crate::domain::ids::TermId,
    crate::domain::ids::NoticeId,
    crate::domain::ids::ContractId,
    crate::domain::ids::TenderId,
);

impl<A: Wire<B>, B> Wire<Option<B>> for Option<A> {
    fn from_domain(value: Option<B>) -> Self {
        value.map(A::from_domain)
    }
    fn into_domain(self) -> Option<B> {
        self.map(A::into_domain)
    }
}

impl<A: Wire<B>, B> Wire<Vec<B>> for Vec<A> {
    fn from_domain(value: Vec<B>) -> Self {
        value.into_iter().map(A::from_domain).collect()
    }
    fn into_domain(self) -> Vec<B> {
        self.into_iter().map(A::into_domain).collect()
    }
}

/// A set travels as an array in the set's order.
impl<A: Wire<B>, B: Ord> Wire<BTreeSet<B>> for Vec<A> {
    fn from_domain(value: BTreeSet<B>) -> Self {
        value.into_iter().map(A::from_domain).collect()
    }
    fn into_domain(self) -> BTreeSet<B> {
        self.into_iter().map(A::into_domain).collect()
    }
}

impl<K: Ord, A: Wire<B>, B> Wire<BTreeMap<K, B>> for BTreeMap<K, A> {
    fn from_domain(value: BTreeMap<K, B>) -> Self {
        value
            .into_iter()
            .map(|(k, v)| (k, A::from_domain(v)))
            .collect()
    }
    fn into_domain(self) -> BTreeMap<K, B> {
        self.into_iter()
            .map(|(k, v)| (k, v.into_domain()))
            .collect()
    }
}

/// `From` in both directions, for handlers that convert one value.
macro_rules! from_both_ways {
    ($wire:ident, $domain:path) => {
        impl From<$domain> for $wire {
            fn from(value: $domain) -> Self {
                <Self as $crate::api::wire::Wire<$domain>>::from_domain(value)
            }
        }
        impl From<$wire> for $domain {
            fn from(value: $wire) -> Self {
                $crate::api::wire::Wire::<$domain>::into_domain(value)
            }
        }
    };
}
pub(crate) use from_both_ways;

/// A closed set of names (statuses, categories…): a snake_case string enum.
macro_rules! wire_enum {
    ($(#[$meta:meta])* pub enum $name:ident = $domain:path { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        $(#[$meta])*
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $crate::api::wire::Wire<$domain> for $name {
            fn from_domain(value: $domain) -> Self {
                use $domain as D;
                match value {
                    $(D::$variant => Self::$variant),+
                }
            }
            fn into_domain(self) -> $domain {
                use $domain as D;
                match self {
                    $(Self::$variant => D::$variant),+
                }
            }
        }

        $crate::api::wire::from_both_ways!($name, $domain);
    };
}
pub(crate) use wire_enum;

/// An object that mirrors a domain struct field by field.
macro_rules! wire_struct {
    ($(#[$meta:meta])* pub struct $name:ident = $domain:path {
        $($(#[$fmeta:meta])* pub $field:ident: $ty:ty),+ $(,)?
    }) => {
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        $(#[$meta])*
        pub struct $name {
            $($(#[$fmeta])* pub $field: $ty),+
        }

        impl $crate::api::wire::Wire<$domain> for $name {
            fn from_domain(value: $domain) -> Self {
                use $domain as D;
                let D { $($field),+ } = value;
                Self { $($field: $crate::api::wire::Wire::from_domain($field)),+ }
            }
            fn into_domain(self) -> $domain {
                use $domain as D;
                let Self { $($field),+ } = self;
                D { $($field: $crate::api::wire::Wire::into_domain($field)),+ }
            }
        }

        $crate::api::wire::from_both_ways!($name, $domain);
    };
}
pub(crate) use wire_struct;

/// A tagged union: `{"type": "<tag>", …fields}`. Each variant is a named schema of its own
/// (`<Union><Variant>`), and the union is a `oneOf` of them with a `discriminator` on `type`,
/// so generated clients get one named class per variant.
macro_rules! wire_union {
    ($(#[doc = $doc:literal])* pub enum $name:ident = $domain:path {
        $($(#[doc = $vdoc:literal])* $tag:literal $variant:ident => $vname:ident {
            $($(#[$fmeta:meta])* $field:ident: $ty:ty),* $(,)?
        }),+ $(,)?
    }) => {
        $(
            $(#[doc = $vdoc])*
            #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
            #[serde(deny_unknown_fields)]
            pub struct $vname {
                $($(#[$fmeta])* pub $field: $ty),*
            }
        )+

        $(#[doc = $doc])*
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[serde(tag = "type")]
        pub enum $name {
            $(#[serde(rename = $tag)] $variant($vname)),+
        }

        impl $crate::api::wire::Wire<$domain> for $name {
            fn from_domain(value: $domain) -> Self {
                use $domain as D;
                match value {
                    $(D::$variant { $($field),* } => Self::$variant($vname {
                        $($field: $crate::api::wire::Wire::from_domain($field)),*
                    })),+
                }
            }
            fn into_domain(self) -> $domain {
                use $domain as D;
                match self {
                    $(Self::$variant($vname { $($field),* }) => D::$variant {
                        $($field: $crate::api::wire::Wire::into_domain($field)),*
                    }),+
                }
            }
        }

        $crate::api::wire::from_both_ways!($name, $domain);

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $crate::api::wire::union_schema(
                    concat!($($doc, "\n"),*),
                    &[$(($tag, stringify!($vname))),+],
                )
            }
        }

        impl utoipa::ToSchema for $name {
            fn schemas(
                schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>,
            ) {
                $(
                    schemas.push((
                        stringify!($vname).to_string(),
                        $crate::api::wire::tagged_variant_schema(
                            $tag,
                            <$vname as utoipa::PartialSchema>::schema(),
                        ),
                    ));
                    <$vname as utoipa::ToSchema>::schemas(schemas);
                )+
            }
        }
    };
}
pub(crate) use wire_union;

/// `oneOf` the variants' schemas with a `discriminator` on `type` mapping each tag to its schema.
pub fn union_schema(
    doc: &str,
    variants: &[(&str, &str)],
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{Discriminator, OneOfBuilder, Schema};
    use utoipa::openapi::{Ref, RefOr};

    let mut discriminator = Discriminator::new("type");
    let mut one_of = OneOfBuilder::new();
    for (tag, schema_name) in variants {
        discriminator.mapping.insert(
            (*tag).to_string(),
            format!("#/components/schemas/{schema_name}"),
        );
        one_of = one_of.item(Ref::from_schema_name(*schema_name));
    }
    let doc = doc.trim();
    RefOr::T(Schema::OneOf(
        one_of
            .description((!doc.is_empty()).then(|| doc.to_string()))
            .discriminator(Some(discriminator))
            .build(),
    ))
}

/// A variant's own schema with the required `type` property naming its tag.
pub fn tagged_variant_schema(
    tag: &str,
    schema: utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

    let tag_schema = ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some([tag]))
        .build();
    match schema {
        RefOr::T(Schema::Object(mut object)) => {
            object
                .properties
                .insert("type".to_string(), RefOr::T(Schema::Object(tag_schema)));
            object.required.insert(0, "type".to_string());
            RefOr::T(Schema::Object(object))
        }
        other => other,
    }
}
