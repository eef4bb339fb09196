import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STRATEGY_SCHEMA_PATH, strategyJsonSchema, strategyJsonSchemaText } from '#core/strategy/json-schema.ts';

describe('the published JSON Schema', () => {
  it('is exactly what the zod schema generates (run `npm run schema` when this fails)', () => {
    const committed = readFileSync(STRATEGY_SCHEMA_PATH, 'utf8');

    expect(committed).toBe(strategyJsonSchemaText());
  });

  it('has an id, a title, strict objects and help text for editors', () => {
    const schema = strategyJsonSchema() as {
      $id: string;
      title: string;
      additionalProperties: boolean;
      properties: { defaults: { properties: { rpo: { description: string; pattern: string } } } };
    };

    expect(schema.$id).toMatch(/strategy\.schema\.json$/);
    expect(schema.title).toBe('Reversa backup strategy');
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.defaults.properties.rpo.pattern).toBe('^[1-9][0-9]*(m|h|d|w|y)$');
    expect(schema.properties.defaults.properties.rpo.description).toMatch(/Recovery point objective/);
  });
});
