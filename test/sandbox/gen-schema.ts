/** Writes scenario.schema.json from the zod model: node --import tsx test/sandbox/gen-schema.ts */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scenarioJsonSchema } from './scenarioSchema';

export const SCHEMA_PATH = join(__dirname, 'scenario.schema.json');
export const schemaText = (): string => `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;

if (require.main === module) {
  writeFileSync(SCHEMA_PATH, schemaText());
  process.stdout.write(`wrote ${SCHEMA_PATH}\n`);
}
