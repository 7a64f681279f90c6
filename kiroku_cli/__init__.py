"""The `kiroku` command: operating Kiroku, on the local cloud or a deployed environment.

`.venv/bin/kiroku --help` lists the commands; `main.py` assembles them, `target.py` decides where they
act (the running `make run` stack, or `--project`/`--storage` with application default credentials).
What the commands do is the application layer's (`shared.application.operations` and
`shared.application.dead_letters`, which the admins' GraphQL fields share); this package only reads
arguments, shows progress and prints tables or JSON. It is a local tool: never part of the bundle the
functions deploy from (deploy/bundle.py ships functions/ and shared/ only).
"""
