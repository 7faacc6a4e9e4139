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
