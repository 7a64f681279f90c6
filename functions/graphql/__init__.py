"""The public GraphQL function: the single HTTP door of Kiroku."""
