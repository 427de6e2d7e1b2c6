"""What other domains do when a customer's data is erased, registered at start-up (main.py):
privacy sits beside prints in one layer, so neither imports the other; privacy calls
whatever was registered, inside the erasure's transaction."""

from typing import Protocol

from sqlmodel import Session


class ErasureHook(Protocol):
    def __call__(self, session: Session, customer_id: int) -> None:
        """Forget what this domain keeps about the customer, in the caller's transaction
        (files and other side effects after it commits, never before)."""
        ...


ErasureHooks = tuple[ErasureHook, ...]
