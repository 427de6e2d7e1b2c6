// The staff members' names (any staff member may read them): who served a sale, whom a
// complaint is about. Read once per page; a failed read is tried again next time.
import { api } from "../admin/api.js";

let names = null;

/** Resolves to [[id, name], ...] of the active staff members. */
export function staffNames() {
  names ??= api("/staff/names").then((list) => list.map((one) => [one.id, one.name]))
    .catch((error) => {
      names = null;
      throw error;
    });
  return names;
}
