import { type messages, type PGlite, type QueryOptions, type Results, types } from '@electric-sql/pglite';

export type BackendMessage = Awaited<ReturnType<PGlite['execProtocol']>>['messages'][number];
type Parsers = PGlite['parsers'];

/**
 * PGlite's parse.parseResults, without its costly step: to merge a query's own parsers into the
 * database's it copies every parser the database knows (hundreds, one per type and array type)
 * into a new object, for every statement run. That copy was a tenth of a heartbeat's CPU. Here
 * each value's parser is looked up where the merge would have found it — the query's, then the
 * database's, then PGlite's defaults — so the rows, fields and counts are the same.
 */
export function parseResults(messages: BackendMessage[], parsers: Parsers, options?: QueryOptions): Results[] {
  const own = options?.parsers;
  const parse = (value: string | null, type: number): unknown => {
    if (value === null) return null;
    const parser = own?.[type] ?? parsers[type] ?? types.parsers[type];
    return parser ? parser(value, type) : value;
  };
  const out: Results[] = [];
  let current: Results = { rows: [], fields: [] };
  let affected = 0;
  for (const message of messages) {
    if (message.name === 'rowDescription') {
      current.fields = (message as messages.RowDescriptionMessage).fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID }));
    } else if (message.name === 'dataRow') {
      const { fields } = current;
      const values = (message as messages.DataRowMessage).fields.map((v, i) => {
        const field = fields[i] as { name: string; dataTypeID: number };
        return [field.name, parse(v, field.dataTypeID)] as const;
      });
      current.rows.push(options?.rowMode === 'array' ? values.map(([, v]) => v) : Object.fromEntries(values));
    } else if (message.name === 'commandComplete') {
      affected += affectedBy((message as messages.CommandCompleteMessage).text);
      out.push({ ...current, affectedRows: affected });
      current = { rows: [], fields: [] };
    }
  }
  if (out.length === 0) out.push({ affectedRows: 0, rows: [], fields: [] });
  return out;
}

/** Rows a command changed, from its tag ("UPDATE 3", "INSERT 0 1"), as PGlite counts them. */
function affectedBy(tag: string): number {
  const words = tag.split(' ');
  switch (words[0]) {
    case 'INSERT':
      return Number.parseInt(words[2] as string, 10);
    case 'UPDATE':
    case 'DELETE':
    case 'COPY':
    case 'MERGE':
      return Number.parseInt(words[1] as string, 10);
    default:
      return 0;
  }
}
