import { PGlite, protocol, type QueryOptions, type Results, type Transaction } from '@electric-sql/pglite';
import { type BackendMessage, parseResults } from './pglite-results.js';

interface Prepared {
  name: string;
  /** The parameters' type OIDs, as PostgreSQL inferred them: they pick each value's serializer. */
  paramTypes: number[];
  /** The statement's row description, or null for one that returns no rows. */
  rows: BackendMessage | null;
}

/** Statements kept prepared at most; past this a new text is parsed each time it runs (still in two calls). */
const MAX_PREPARED = 1000;
/** Only queries are kept prepared; DDL and session commands (migrations, SET) are parsed each time. */
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;

const { serialize } = protocol;

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * PGlite, with each query sent to the database in one or two calls instead of six,
 * and kept prepared. PGlite's own query() hands Parse, Describe, Bind, Describe,
 * Execute and Sync to the WebAssembly backend one message at a time, and parses and
 * plans the text anew each time; here the first run of a text prepares it as a named
 * statement (Parse, Describe, Sync in one call) and every run binds and executes it
 * (Bind, Execute, Sync in one call), so PostgreSQL parses a text once and may keep a
 * generic plan. Answers, errors and transactions are PGlite's: values are serialised
 * and rows parsed by its own serializers and parsers, by the types PostgreSQL described
 * (the rows assembled as PGlite does, a little more cheaply: see pglite-results.ts).
 *
 * Nothing here changes what is written or when: every statement still runs and commits
 * exactly as before, through the same backend.
 */
export class PreparedPGlite extends PGlite {
  readonly #prepared = new Map<string, Prepared>();
  #inTransaction = false;
  #next = 0;

  override async query<T>(query: string, params: unknown[] = [], options?: QueryOptions): Promise<Results<T>> {
    await this._checkReady();
    return this._runExclusiveTransaction(() => this.#query<T>(query, params, options));
  }

  override async transaction<T>(callback: (tx: Transaction) => Promise<T>): Promise<T> {
    await this._checkReady();
    return this._runExclusiveTransaction(async () => {
      await this.#exec('BEGIN');
      this.#inTransaction = true;
      let closed = false;
      const open = () => {
        if (closed) throw new Error('Transaction is closed');
      };
      const tx: Transaction = {
        query: async <R>(query: string, params?: unknown[], options?: QueryOptions) => {
          open();
          return this.#query<R>(query, params ?? [], options);
        },
        sql: () => {
          throw new Error('tx.sql is not supported here: use tx.query');
        },
        exec: async (query: string, options?: QueryOptions) => {
          open();
          return this.#exec(query, options);
        },
        rollback: async () => {
          open();
          await this.#exec('ROLLBACK');
          closed = true;
        },
        listen: async (channel: string, callback: (payload: string) => void) => {
          open();
          return this.listen(channel, callback, tx);
        },
        get closed() {
          return closed;
        },
      };
      try {
        const result = await callback(tx);
        // Out of the transaction before its COMMIT, so the COMMIT syncs to the file system.
        this.#inTransaction = false;
        if (!closed) {
          closed = true;
          await this.#exec('COMMIT');
        }
        return result;
      } catch (error) {
        this.#inTransaction = false;
        if (!closed) await this.#exec('ROLLBACK');
        throw error;
      }
    });
  }

  /** A simple-protocol command (BEGIN, COMMIT, ROLLBACK) in one call. */
  async #exec(query: string, options?: QueryOptions): Promise<Results[]> {
    return this._runExclusiveQuery(async () => {
      const { messages } = await this.#call([serialize.query(query), serialize.sync()], query, undefined, options);
      if (!this.#inTransaction) await this.syncToFs();
      return parseResults(messages, this.parsers, options);
    });
  }

  async #query<T>(query: string, params: unknown[], options?: QueryOptions): Promise<Results<T>> {
    return this._runExclusiveQuery(async () => {
      const statement = this.#prepared.get(query) ?? (await this.#prepare(query, params, options));
      const values = params.map((value, i) => {
        if (value === null || value === undefined) return null;
        const type = statement.paramTypes[i] as number;
        const serializer = options?.serializers?.[type] ?? this.serializers[type];
        return serializer ? serializer(value) : String(value);
      });
      let messages: BackendMessage[];
      try {
        ({ messages } = await this.#call(
          [serialize.bind({ statement: statement.name, values: values as (string | null)[] }), serialize.execute({}), serialize.sync()],
          query,
          params,
          options,
        ));
      } catch (error) {
        // A statement whose plan went stale (the schema changed under it) is prepared again next time.
        if (statement.name !== '') await this.#forget(query, statement.name);
        throw error;
      }
      if (!this.#inTransaction) await this.syncToFs();
      return parseResults(statement.rows ? [statement.rows, ...messages] : messages, this.parsers, options)[0] as Results<T>;
    });
  }

  async #prepare(query: string, params: unknown[], options?: QueryOptions): Promise<Prepared> {
    const keep = this.#prepared.size < MAX_PREPARED && PREPARABLE.test(query);
    // The unnamed statement lives until the next Parse: enough for the Bind that follows.
    const name = keep ? `lh_${++this.#next}` : '';
    const { messages } = await this.#call(
      [serialize.parse({ name, text: query, types: options?.paramTypes }), serialize.describe({ type: 'S', name }), serialize.sync()],
      query,
      params,
      options,
    );
    const described = messages.find((m) => m.name === 'parameterDescription') as { dataTypeIDs?: number[] } | undefined;
    const statement: Prepared = {
      name,
      paramTypes: described?.dataTypeIDs ?? [],
      rows: messages.find((m) => m.name === 'rowDescription') ?? null,
    };
    if (keep) this.#prepared.set(query, statement);
    return statement;
  }

  async #forget(query: string, name: string): Promise<void> {
    this.#prepared.delete(query);
    await this.execProtocol(concat([serialize.close({ type: 'S', name }), serialize.sync()]), { syncToFs: false, throwOnError: false });
  }

  /** Sends the messages in one call; a database error carries the query, as PGlite's own errors do. */
  async #call(parts: Uint8Array[], query: string, params: unknown[] | undefined, options: QueryOptions | undefined) {
    try {
      return await this.execProtocol(concat(parts), { syncToFs: false, onNotice: options?.onNotice });
    } catch (error) {
      if (error instanceof protocol.messages.DatabaseError) Object.assign(error, { query, params, queryOptions: options });
      throw error;
    }
  }
}
