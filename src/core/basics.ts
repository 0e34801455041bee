/**
 * Two small things every layer needs the same way: the text of a caught error, and the shape of a GUID (tenant ids,
 * client ids, trace ids). Pure, so the core, the auth layer and the adapters share one copy.
 */

/** The message of a caught value: an `Error`'s message, anything else as text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A GUID's pattern, unanchored and case-insensitive by its character classes, to embed in larger expressions. */
export const GUID_SOURCE = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

/** A whole string that is a GUID, in any letter case. */
export const GUID = new RegExp(`^${GUID_SOURCE}$`);
