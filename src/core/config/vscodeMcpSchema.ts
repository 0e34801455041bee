/**
 * Whether the mcp.json schema the running VS Code registers (`vscode://schemas/mcp`) accepts `oauth.clientId` on an
 * HTTP server entry. Older schemas had `additionalProperties: false` without `oauth` (research real-behaviour item
 * 19), so writing it there would make VS Code flag the file. Read from the schema itself, never from a version table.
 *
 * true: an HTTP entry declares `oauth`; false: every HTTP entry is closed and none declares it; undefined: the text
 * is not a schema with an HTTP entry (the writers then keep their default).
 */
export function mcpSchemaAcceptsOauthClientId(schemaText: string): boolean | undefined {
  let schema: unknown;
  try {
    schema = JSON.parse(schemaText);
  } catch {
    return undefined;
  }
  const httpEntries = [...objectSchemas(schema)].filter((s) => hasProperty(s, 'url'));
  if (httpEntries.length === 0) return undefined;
  if (httpEntries.some((s) => oauthHasClientId(s))) return true;
  return httpEntries.every((s) => s.additionalProperties === false) ? false : undefined;
}

type SchemaObject = { properties?: Record<string, unknown>; additionalProperties?: unknown };

function hasProperty(schema: SchemaObject, name: string): boolean {
  return typeof schema.properties === 'object' && schema.properties !== null && name in schema.properties;
}

function oauthHasClientId(schema: SchemaObject): boolean {
  const oauth = schema.properties?.oauth as SchemaObject | undefined;
  if (!oauth || typeof oauth !== 'object') return false;
  // An oauth object that lists its fields must list clientId; one that lists none accepts it.
  return oauth.properties === undefined ? oauth.additionalProperties !== false : hasProperty(oauth, 'clientId');
}

/** Every object in the schema tree that declares `properties` (definitions, oneOf/anyOf branches, nested entries). */
function* objectSchemas(node: unknown, depth = 0): Generator<SchemaObject> {
  if (depth > 64 || typeof node !== 'object' || node === null) return;
  if (Array.isArray(node)) {
    for (const item of node) yield* objectSchemas(item, depth + 1);
    return;
  }
  const record = node as Record<string, unknown>;
  if (typeof record.properties === 'object' && record.properties !== null) yield record as SchemaObject;
  for (const value of Object.values(record)) yield* objectSchemas(value, depth + 1);
}
