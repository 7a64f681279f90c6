"""The names of Kiroku's two topics, as manifest.yaml declares them: commands to the command functions,
events to the projectors and the saga."""

COMMANDS_TOPIC = "commands"
EVENTS_TOPIC = "events"
