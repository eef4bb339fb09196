/** What the web app mirrors from the server side stays equal to it: the role table, the auditor report's shape, the API types. */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { ACTION_ROLES, ACTIONS, ROLES } from '#core/identity/roles.ts';
import type { AuditorReport } from '#core/report/auditor-model.ts';
import { generateApiTypes } from '../../../web/build/api-types.ts';
import type { AuditorReportView } from '../../../web/src/api/auditor-report.ts';
import { may, ROLE_NAMES, ACTION_ROLES as WEB_ACTION_ROLES } from '../../../web/src/roles.ts';

describe('the web app’s role table', () => {
  it('is the API’s policy table, action by action', () => {
    expect(WEB_ACTION_ROLES).toEqual(ACTION_ROLES);
    expect(Object.keys(WEB_ACTION_ROLES).sort()).toEqual([...ACTIONS].sort());
    expect(Object.keys(ROLE_NAMES).sort()).toEqual([...ROLES].sort());
  });

  it('hides the provider’s edits from clients and auditors, and dossier downloads from auditors', () => {
    expect(may('client', 'finding:update')).toBe(false);
    expect(may('client', 'finding:comment')).toBe(true);
    expect(may('auditor', 'finding:comment')).toBe(false);
    expect(may('auditor', 'dossier:download')).toBe(false);
    expect(may('auditor', 'audit:export')).toBe(true);
    expect(may('provider-operator', 'finding:update')).toBe(true);
  });
});

describe('the auditor report the web app reads', () => {
  it('is a part of the model the API serves (checked by the type checker)', () => {
    expectTypeOf<AuditorReport>().toExtend<AuditorReportView>();
  });
});

describe('npm run web:types', () => {
  it('translates objects, optional fields, enums, nullable values, records and open objects', () => {
    const text = generateApiTypes({
      components: {
        schemas: {
          Thing: {
            type: 'object',
            properties: {
              id: { type: 'string', description: 'The id' },
              kind: { type: 'string', enum: ['a', 'b'] },
              size: { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'null' }] },
              tags: { type: 'object', additionalProperties: { type: 'number' } },
              note: { type: ['string', 'null'] },
            },
            required: ['id', 'kind', 'size', 'tags'],
            additionalProperties: {},
          },
          __shared: { $defs: { Item: { type: 'array', items: { $ref: '#/components/schemas/Thing' } } } },
        },
      },
    });
    expect(text).toContain('export type Item = Thing[];');
    expect(text).toContain('  /** The id */\n  id: string;');
    expect(text).toContain('  kind: "a" | "b";');
    expect(text).toContain('  size: number | null;');
    expect(text).toContain('  tags: Record<string, number>;');
    expect(text).toContain('  note?: string | null;');
    expect(text).toContain('  [key: string]: unknown;');
  });

  it('refuses a schema keyword it does not translate, naming the schema and the keyword', () => {
    const document = { components: { schemas: { Odd: { type: 'object', properties: { x: { oneOf: [] } } } } } };
    expect(() => generateApiTypes(document)).toThrow('Odd.x: keyword "oneOf" is not translated');
  });
});
