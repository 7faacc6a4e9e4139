"""What SPEC §2 says a metric looks like, written once for every test that checks the shape."""

METRIC_FIELDS = (
    "uid",
    "name",
    "context_type",
    "description",
    "formula",
    "value_type",
    "storage_unit",
    "is_snapshot",
    "period_definition",
    "is_active",
    "created_at",
    "updated_at",
)

# SPEC §9.2: a value as every face shows it (the public contract's response fields, then the
# period bounds this registry adds).
PUBLIC_VALUE_FIELDS = (
    "uid",
    "metric_uid",
    "metric_name",
    "period_definition",
    "context_type",
    "entity_uid",
    "time_unit",
    "timezone",
    "metric_date",
    "storage_unit",
    "value_type",
    "value",
    "created_at",
    "updated_at",
    "_metadata",
)
PERIOD_FIELDS = ("period_start", "period_end", "period_start_at", "period_end_at")
VALUE_FIELDS = (*PUBLIC_VALUE_FIELDS, *PERIOD_FIELDS)
ENTITY_FIELDS = ("context_type", "uid", "name", "created_at", "updated_at")
