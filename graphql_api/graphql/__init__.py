"""The GraphQL face: ``/graphql`` over graphql-core, the strawberry schema and its limits."""
