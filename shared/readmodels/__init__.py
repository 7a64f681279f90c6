"""Read-model storage: the interface projectors and GraphQL use, with PostgreSQL and Firestore backends."""

from shared.readmodels.store import MAX_PAGE_SIZE, InvalidReadModelInput, Page, ReadModelStore, ReadRecord

__all__ = ["MAX_PAGE_SIZE", "InvalidReadModelInput", "Page", "ReadModelStore", "ReadRecord"]
