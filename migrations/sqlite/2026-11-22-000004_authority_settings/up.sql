-- Each authority's own policy settings; absent means the deployment's defaults.
CREATE TABLE authority_settings (
    authority                     TEXT PRIMARY KEY NOT NULL,
    social_value_floor_percent    TEXT NOT NULL,
    conditionality_required_above TEXT,
    version                       BIGINT NOT NULL,
    updated_at                    TIMESTAMP NOT NULL
);
