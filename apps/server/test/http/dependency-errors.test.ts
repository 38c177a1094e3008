import { DrizzleQueryError } from 'drizzle-orm/errors';
import { describe, expect, it } from 'vitest';
import { OutageLog, unavailableDependency } from '../../src/http/dependency-errors.js';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

/** Every way a dependency says "not now" maps to 503; a fault of the server does not. */
describe('dependency error classification', () => {
  it.each([
    ['refused', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['refused on every address', new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], '')],
    ['reset', withCode('read ECONNRESET', 'ECONNRESET')],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
    ['connection terminated', new Error('Connection terminated unexpectedly')],
    ['admin shutdown', withCode('terminating connection due to administrator command', '57P01')],
    ['shutting down', withCode('the database system is shutting down', '57P03')],
    ['too many connections', withCode('sorry, too many clients already', '53300')],
    ['connection exception', withCode('connection failure', '08006')],
    ['a client that lost its connection', new Error('Client has encountered a connection error and is not queryable')],
    ['an ended pool', new Error('Cannot use a pool after calling end on the pool')],
    ['PGlite closed', new Error('PGlite is closed')],
  ])('database: %s', (_name, error) => {
    expect(unavailableDependency(error)).toBe('database');
    expect(unavailableDependency(new DrizzleQueryError('select 1', [], error))).toBe('database');
  });

  it.each([
    ['closed', new Error('Connection is closed.')],
    ['not writable', new Error("Stream isn't writeable and enableOfflineQueue options is false")],
    ['timed out', new Error('Command timed out')],
    ['gave up', Object.assign(new Error('Reached the max retries per request limit (which is 1).'), { name: 'MaxRetriesPerRequestError' })],
    ['refused the command', Object.assign(new Error('OOM command not allowed'), { name: 'ReplyError' })],
  ])('redis: %s', (_name, error) => {
    expect(unavailableDependency(error)).toBe('redis');
  });

  it.each([
    ['a unique violation', withCode('duplicate key value', '23505')],
    ['a syntax error', withCode('syntax error at or near', '42601')],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a failing script', Object.assign(new Error('ERR user_script:12: Script attempted to access nonexistent global variable'), { name: 'ReplyError' })],
    ['a wrong type', Object.assign(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'), { name: 'ReplyError' })],
  ])('not a dependency: %s', (_name, error) => {
    expect(unavailableDependency(error)).toBeNull();
  });

  it('logs the first failure of an outage, counts the rest, and logs again after a quiet spell', () => {
    let now = 0;
    const log = new OutageLog(() => now, 10_000);
    const written: number[] = [];
    for (let i = 0; i < 50; i++) {
      log.failed('database', (previous) => written.push(previous));
      now += 100;
    }
    expect(written).toEqual([0]);
    log.failed('redis', (previous) => written.push(previous));
    expect(written).toEqual([0, 0]);
    now += 10_001;
    log.failed('database', (previous) => written.push(previous));
    expect(written).toEqual([0, 0, 49]);
  });
});
