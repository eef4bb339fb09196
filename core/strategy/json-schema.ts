import * as z from 'zod';
import { strategySchema } from './schema.ts';

export const STRATEGY_SCHEMA_ID = 'https://reversa.dev/schema/strategy.schema.json';
export const STRATEGY_SCHEMA_PATH = 'schema/strategy.schema.json';

/** The JSON Schema editors use (yaml-language-server, VS Code), generated from the zod schema. */
export function strategyJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(strategySchema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });
  const { $schema, title, description, ...rest } = generated as Record<string, unknown>;
  // Identity first, then the body in zod's (declaration) order: the output is byte-for-byte stable.
  return { $schema, $id: STRATEGY_SCHEMA_ID, title, description, ...rest };
}

export function strategyJsonSchemaText(): string {
  return `${JSON.stringify(strategyJsonSchema(), null, 2)}\n`;
}
