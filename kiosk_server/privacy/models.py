"""What an admin sends to erase a customer's data at the counter."""

from pydantic import StrictBool
from sqlmodel import Field, SQLModel


class ErasureRequest(SQLModel):
    confirm: StrictBool = Field(
        description="true: the admin confirmed, with the customer, that their personal data is "
                    "to be erased for good (there is no undo); false is refused")
