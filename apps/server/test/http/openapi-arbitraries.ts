import fc from 'fast-check';

/** A JSON Schema as OpenAPI 3.1 publishes it (only the keywords the generator reads). */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  default?: unknown;
}

/** IDs of things that exist, by prefix, so generated requests reach past "not found". */
export type KnownIds = Record<string, string[]>;

/** Strings that have broken parsers, drivers and databases before. */
const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '__proto__',
  'constructor',
  '%00',
  "'; drop table licenses; --",
  '\ud800',
  '💥',
  'x'.repeat(600),
  '-1',
  '1e400',
  'NaN',
  'null',
  '2030-02-30T25:61:00Z',
];

/** Any JSON value, small: what a careless or hostile client sends in place of the right one. */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(...NASTY_STRINGS, null, true, false, 0, -1, 2 ** 53, -(2 ** 31), 1.5, [], {}),
  fc.string({ maxLength: 30 }),
  fc.integer(),
  fc.double(),
  fc.jsonValue({ maxDepth: 2 }),
);

/** Generates values from an OpenAPI document's schemas: mostly shaped like the schema (to get past validation), sometimes not. */
export class SchemaArbitraries {
  constructor(
    private readonly components: Record<string, JsonSchema>,
    private readonly known: KnownIds,
  ) {}

  resolve(schema: JsonSchema): JsonSchema {
    if (!schema.$ref) return schema;
    const name = schema.$ref.split('/').pop() ?? '';
    return this.resolve(this.components[name] ?? {});
  }

  /** A value for `schema`; one time in `junkOneIn` anything at all instead. */
  value(schema: JsonSchema, depth = 0, junkOneIn = 8): fc.Arbitrary<unknown> {
    return fc.oneof({ weight: junkOneIn - 1, arbitrary: this.#shaped(this.resolve(schema), depth) }, { weight: 1, arbitrary: junk });
  }

  /** A string for a parameter: path and query values are strings on the wire. */
  text(schema: JsonSchema): fc.Arbitrary<string> {
    return this.value(schema, 0, 5).map((v) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? '')));
  }

  #shaped(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
    if (depth > 4) return junk;
    if (schema.const !== undefined) return fc.constant(schema.const);
    if (schema.enum) return fc.constantFrom(...schema.enum);
    const alternatives = schema.anyOf ?? schema.oneOf;
    if (alternatives?.length) return fc.oneof(...alternatives.map((s) => this.value(s, depth + 1)));
    if (schema.allOf?.[0]) return this.value(schema.allOf[0], depth + 1);
    const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
    if (types.length > 1) return fc.oneof(...types.map((type) => this.#shaped({ ...schema, type }, depth)));
    switch (types[0]) {
      case 'null':
        return fc.constant(null);
      case 'boolean':
        return fc.boolean();
      case 'integer':
      case 'number': {
        const min = schema.minimum ?? -1_000;
        const max = schema.maximum ?? 1_000_000;
        const inRange = fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31) });
        return fc.oneof({ weight: 4, arbitrary: inRange }, fc.constantFrom(min - 1, max + 1, 0));
      }
      case 'string':
        return this.#string(schema);
      case 'array':
        return fc.array(this.value(schema.items ?? {}, depth + 1), { maxLength: Math.min(schema.maxItems ?? 3, 3) });
      case 'object':
        return this.#object(schema, depth);
      default:
        return junk;
    }
  }

  #string(schema: JsonSchema): fc.Arbitrary<string> {
    const options: fc.Arbitrary<string>[] = [fc.constantFrom(...NASTY_STRINGS)];
    const prefix = schema.pattern ? /^\^([a-z]{3})_/.exec(schema.pattern)?.[1] : undefined;
    const ids = prefix ? this.known[prefix] : undefined;
    if (ids?.length) options.push(fc.constantFrom(...ids), fc.constantFrom(...ids));
    if (schema.pattern) {
      try {
        options.push(fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length <= (schema.maxLength ?? 200)));
      } catch {
        // A pattern fast-check cannot generate from: the other options still apply.
      }
    }
    if (schema.format === 'date-time')
      options.push(fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()));
    options.push(fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 40) }));
    return fc.oneof(...options);
  }

  #object(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
    const properties = schema.properties ?? {};
    const keys = Object.keys(properties);
    const entries = Object.fromEntries(keys.map((k) => [k, this.value(properties[k] ?? {}, depth + 1)]));
    const required = (schema.required ?? []).filter((k) => keys.includes(k));
    // Sometimes every required field is there, sometimes not, sometimes an extra or a prototype key rides along.
    const withRequired = keys.length ? fc.record(entries, { requiredKeys: required }) : fc.constant({});
    const shaped = keys.length ? fc.record(entries, { requiredKeys: [] }) : fc.dictionary(fc.string({ maxLength: 8 }), junk, { maxKeys: 3 });
    const extra = fc.tuple(shaped, fc.constantFrom('__proto__', 'constructor', 'prototype', 'unexpected'), junk).map(([o, k, v]) => {
      const copy = { ...(o as object) };
      Object.defineProperty(copy, k, { value: v, enumerable: true, configurable: true, writable: true });
      return copy;
    });
    return fc.oneof({ weight: 3, arbitrary: withRequired }, { weight: 2, arbitrary: shaped }, { weight: 1, arbitrary: extra });
  }
}
