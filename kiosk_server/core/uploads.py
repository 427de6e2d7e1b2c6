"""Raw file uploads (CSV) read as the request body. Their size limit is the request
guard's (`core/guard.py`), which knows these routes by their `CSV_BODY` schema."""

from typing import Annotated, Any

from fastapi import Depends, Request

CSV_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"text/csv": {"schema": {"type": "string", "format": "binary"}}},
    }
}


async def _csv_body(request: Request) -> bytes:
    return await request.body()


CsvBody = Annotated[bytes, Depends(_csv_body)]
