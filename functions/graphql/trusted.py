"""Trusted documents: the GraphQL operations the door runs for anyone when it enforces them (in prod).

As with Apollo's and GraphQL Yoga's persisted-operation plugins, the documents clients may send are known
at build time, kept in a manifest of `{sha256 of the document: document}` (the format GraphQL Code
Generator's client preset writes as `persisted-documents.json`), and shipped with the function. A client
sends a document's hash (`documentId: "sha256:<hex>"`, or Apollo's
`extensions.persistedQuery.sha256Hash`) instead of the text, or the text itself. With trusted documents
enforced, a caller who is not an admin runs only documents of the manifest, so anonymous and writer
clients cannot send arbitrary, expensive queries; an admin may send any document, within the cost limits.

The manifest (`trusted-documents.json` beside this module) is built from the documents under
`trusted/` (the seed system's clients' and third parties' operations, one document per file) and, once
the web app exists, its generated `persisted-documents.json`:

    .venv/bin/python -m functions.graphql.trusted           # rewrite trusted-documents.json
    .venv/bin/python -m functions.graphql.trusted --check   # exit 1 if it is stale

A raw document is matched by its text with insignificant whitespace and commas removed (graphql-core's
printer), so a client sending a manifest's document as text needs no hashing.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from graphql import GraphQLError, parse, print_ast

from shared.generated_files import write_or_check

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "trusted-documents.json"
SOURCES = HERE / "trusted"
# The web app's generated manifest (GraphQL Code Generator's client preset), merged in when present.
WEB_DOCUMENTS = HERE.parents[1] / "web" / "src" / "gql" / "persisted-documents.json"
COMMAND = ".venv/bin/python -m functions.graphql.trusted"


class UnknownDocument(LookupError):
    """A hash no trusted document has."""


def document_hash(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def _normal(document: str) -> str | None:
    try:
        return print_ast(parse(document))
    except GraphQLError:
        return None


@dataclass(frozen=True)
class TrustedDocuments:
    by_hash: Mapping[str, str]
    texts: frozenset[str]  # each document in normal form

    @classmethod
    def of(cls, documents: Mapping[str, str]) -> TrustedDocuments:
        """Documents keyed by hash; a key that is not its document's hash is refused (a corrupt manifest)."""
        wrong = [key for key, document in documents.items() if document_hash(document) != key]
        if wrong:
            raise ValueError(f"trusted documents whose key is not their SHA-256: {', '.join(sorted(wrong))}")
        texts = {_normal(document) for document in documents.values()}
        return cls(dict(documents), frozenset(text for text in texts if text is not None))

    @classmethod
    def load(cls, path: Path = MANIFEST) -> TrustedDocuments:
        return cls.of(json.loads(path.read_text()))

    def resolve(self, document_id: str) -> str:
        """The document a client named by its hash (`sha256:<hex>` or `<hex>`); UnknownDocument if none."""
        digest = document_id.removeprefix("sha256:").lower()
        document = self.by_hash.get(digest)
        if document is None:
            raise UnknownDocument(document_id)
        return document

    def trusts(self, document: str) -> bool:
        return document in self.by_hash.values() or _normal(document) in self.texts


def document_id(body: Mapping[str, object]) -> str | None:
    """The hash a request names its document by, if it does (GraphQL over HTTP's `documentId`, or Apollo's
    persisted-query extension)."""
    named = body.get("documentId")
    if isinstance(named, str):
        return named
    extensions = body.get("extensions")
    if isinstance(extensions, Mapping):
        persisted = extensions.get("persistedQuery")
        if isinstance(persisted, Mapping) and isinstance(persisted.get("sha256Hash"), str):
            return str(persisted["sha256Hash"])
    return None


def built_manifest() -> dict[str, str]:
    """Every trusted document, from `trusted/*.graphql` and the web app's generated manifest."""
    documents = [path.read_text() for path in sorted(SOURCES.glob("*.graphql"))]
    if WEB_DOCUMENTS.exists():
        documents += list(json.loads(WEB_DOCUMENTS.read_text()).values())
    for document in documents:
        parse(document)  # a document that does not parse is a build error, not a runtime one
    return {document_hash(document): document for document in sorted(documents)}


def main(argv: list[str] | None = None) -> int:
    return write_or_check(
        argv,
        prog="functions.graphql.trusted",
        description=__doc__,
        path=MANIFEST,
        build=lambda: json.dumps(built_manifest(), indent=2, sort_keys=True) + "\n",
    )


if __name__ == "__main__":
    sys.exit(main())
