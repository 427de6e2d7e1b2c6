"""Raw file uploads (CSV) read as the request body. Their size limit is the request
guard's (`core/guard.py`), which knows these routes by their `CSV_BODY` schema."""

from typing import Annotated, Any

from fastapi import Depends, Query, Request

CSV_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"text/csv": {"schema": {"type": "string", "format": "binary"}}},
    }
}


async def _csv_body(request: Request) -> bytes:
    return await request.body()


CsvBody = Annotated[bytes, Depends(_csv_body)]


# The query of a CSV import endpoint (customers, an event's guests).
DryRun = Annotated[bool, Query(description="preview only: check, match and count; save "
                                          "nothing")]
SkipBadRows = Annotated[bool, Query(description="import the good rows and skip the bad ones "
                                                "(without it, a file with a bad row saves "
                                                "nothing)")]
Previewed = Annotated[str | None, Query(
    max_length=64, description="the `digest` of the preview: the file must be the same (409 "
                               "`file_changed` otherwise)")]
IMPORT_CONFLICTS: dict[int | str, dict[str, Any]] = {
    409: {"description": "`file_changed`: not the file previewed; "
                          "`import_running`: the same file is being imported"}}
