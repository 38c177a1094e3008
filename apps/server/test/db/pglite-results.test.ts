import { PGlite, parse, protocol, types } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseResults } from '../../src/db/pglite-results.js';

// The embedded database's results are assembled without PGlite's parse.parseResults (see
// pglite-results.ts): they must be the same, whatever the statement and the options.
describe('PGlite results', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = new PGlite();
    await db.waitReady;
    await db.exec(`create table t (id int primary key, at timestamptz, doc jsonb, tags text[], note text)`);
  });
  afterAll(async () => {
    await db.close();
  });

  const statements = [
    `insert into t values (1, '2026-01-02 03:04:05.678+00', '{"a": [1, "x"]}', '{a,"b c"}', null), (2, null, null, null, 'two')`,
    `select * from t order by id`,
    `update t set note = 'n' where id > 0`,
    `select id, at, doc from t order by id; delete from t where id = 2; select count(*)::int as n, now() is not null as ok from t`,
    `begin; commit`,
  ];
  const optionSets = [
    undefined,
    { rowMode: 'array' as const },
    { rowMode: 'object' as const, parsers: { [types.TIMESTAMPTZ]: (value: string) => value } },
    { rowMode: 'array' as const, parsers: { [types.JSONB]: (value: string) => `json:${value}`, [types.INT4]: (value: string) => Number(value) * 10 } },
  ];

  it('are those PGlite assembles, for every kind of statement and option', async () => {
    for (const statement of statements) {
      const { messages } = await db.execProtocol(protocol.serialize.query(statement));
      for (const options of optionSets) {
        expect(parseResults(messages, db.parsers, options)).toEqual(parse.parseResults(messages, db.parsers, options));
      }
    }
  });
});
