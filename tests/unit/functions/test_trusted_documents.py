"""The trusted documents' manifest: built from its sources, each key its document's hash, and the ways a
request names a document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from functions.graphql import trusted
from functions.graphql.trusted import TrustedDocuments, UnknownDocument, document_hash, document_id


def test_the_shipped_manifest_is_built_from_its_sources() -> None:
    assert trusted.main(["--check"]) == 0, f"trusted-documents.json is stale: run {trusted.COMMAND}"
    assert TrustedDocuments.load().by_hash == trusted.built_manifest()


def test_the_check_fails_on_a_stale_manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sources = tmp_path / "trusted"
    sources.mkdir()
    (sources / "extra.graphql").write_text("{ categories { id } }\n")
    monkeypatch.setattr(trusted, "SOURCES", sources)
    monkeypatch.setattr(trusted, "WEB_DOCUMENTS", tmp_path / "no-web-app.json")
    monkeypatch.setattr(trusted, "MANIFEST", tmp_path / "trusted-documents.json")
    assert trusted.main(["--check"]) == 1
    assert trusted.main([]) == 0
    assert trusted.main(["--check"]) == 0
    assert list(json.loads((tmp_path / "trusted-documents.json").read_text())) == [
        document_hash("{ categories { id } }\n")
    ]


def test_a_key_that_is_not_its_documents_hash_is_refused() -> None:
    document = "{ categories { id } }"
    assert TrustedDocuments.of({document_hash(document): document}).trusts("query {categories{id}}")
    with pytest.raises(ValueError, match="SHA-256"):
        TrustedDocuments.of({"0" * 64: document})


def test_a_document_is_named_by_hash_as_graphql_over_http_or_apollo_name_it() -> None:
    document = "{ categories { id } }"
    documents = TrustedDocuments.of({document_hash(document): document})
    digest = document_hash(document)
    assert document_id({"documentId": f"sha256:{digest}"}) == f"sha256:{digest}"
    assert document_id({"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}) == digest
    assert document_id({"query": document}) is None
    assert documents.resolve(f"sha256:{digest}") == documents.resolve(digest.upper()) == document
    with pytest.raises(UnknownDocument):
        documents.resolve("sha256:" + "1" * 64)
    assert not documents.trusts("{ categories { id name } }")
