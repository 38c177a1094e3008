import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { injectEventStream, type StreamedAnswer } from '../support/event-stream.js';
import type { Harness } from '../support/harness.js';
import { documentValidator, type Json, operationsOf, responseOf, segment } from './support.js';

const JSON_TYPES = new Set(['application/json', 'application/problem+json']);

/**
 * Calls operations of the document on a live server and holds each answer to what
 * the document says of it: a listed status (500 only as `default`), a listed
 * content type, a body valid against that schema, the headers it marks required.
 * It counts, per operation, the successes and the errors it saw.
 */
export class ContractChecker {
  readonly seen = new Map<string, { ok: number; error: number }>();
  readonly #validate: ReturnType<typeof documentValidator>;
  readonly #operations: Map<string, { path: string; method: string; operation: Json }>;

  constructor(
    private readonly h: Harness,
    private readonly doc: Json,
  ) {
    this.#validate = documentValidator(doc);
    this.#operations = new Map(operationsOf(doc).map((o) => [o.key, o]));
  }

  /** Every operation of the document. */
  get operations(): string[] {
    return [...this.#operations.keys()];
  }

  async call(key: string, request: Omit<InjectOptions, 'method'> & { url: string }): Promise<LightMyRequestResponse> {
    const found = this.#operations.get(key);
    if (!found) throw new Error(`${key} is not in the document`);
    const options = { ...request, method: found.method.toUpperCase() as never };
    // An event stream never ends by itself: its first event is checked, then the client leaves.
    const streams = Object.values<Json>(found.operation.responses).some((r) => r.content?.['text/event-stream']);
    const answer = (streams ? await injectEventStream(this.h.app, options, 5_000) : await this.h.app.inject(options)) as LightMyRequestResponse;
    const problems = this.check(found, answer);
    if (problems.length > 0)
      throw new Error(`${key} ${request.url} answered ${answer.statusCode} against the document:\n${problems.join('\n')}\n${answer.body.slice(0, 600)}`);
    const tally = this.seen.get(key) ?? { ok: 0, error: 0 };
    if (answer.statusCode < 400) tally.ok += 1;
    else tally.error += 1;
    this.seen.set(key, tally);
    return answer;
  }

  private check({ path, method, operation }: { path: string; method: string; operation: Json }, answer: StreamedAnswer): string[] {
    const status = String(answer.statusCode);
    const listed = operation.responses[status] ? status : answer.statusCode === 500 ? 'default' : null;
    if (!listed) return [`status ${status} is not documented (documented: ${Object.keys(operation.responses).join(', ')})`];
    const { response, pointer: at } = responseOf(this.doc, path, method, listed) as { response: Json; pointer: string };
    const problems: string[] = [];
    for (const [name, header] of Object.entries<Json>(response.headers ?? {})) {
      const resolved = header.$ref ? this.doc.components.headers[header.$ref.split('/').pop()] : header;
      if (resolved.required && answer.headers[name.toLowerCase()] === undefined) problems.push(`the required header ${name} is missing`);
    }
    const content = response.content as Record<string, Json> | undefined;
    if (!content) {
      if (answer.body !== '') problems.push('a body where the document has none');
      return problems;
    }
    const type = String(answer.headers['content-type'] ?? '')
      .split(';')[0]
      ?.trim() as string;
    if (!content[type]) return [...problems, `content type ${type} is not documented (documented: ${Object.keys(content).join(', ')})`];
    const pointer = `${at}/content/${segment(type)}/schema`;
    const bodies = JSON_TYPES.has(type)
      ? [JSON.parse(answer.body)]
      : type === 'application/x-ndjson'
        ? answer.body
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l))
        : null;
    if (type === 'text/event-stream') {
      // The first event must come within the wait; its data is JSON of the documented `x-event-data` schema.
      const data = /^data: (.*)$/m.exec(answer.body)?.[1];
      if (data === undefined) return [...problems, `no event in ${JSON.stringify(answer.body.slice(0, 200))}`];
      const validate = this.#validate(`${at}/content/${segment(type)}/x-event-data`);
      if (!validate(JSON.parse(data))) problems.push(...(validate.errors ?? []).map((e) => `event data${e.instancePath} ${e.message} (${e.schemaPath})`));
      return problems;
    }
    if (!bodies) {
      if (typeof answer.body !== 'string' || answer.body.length === 0) problems.push('an empty body');
      return problems;
    }
    const validate = this.#validate(pointer);
    for (const body of bodies) {
      if (!validate(body)) problems.push(...(validate.errors ?? []).map((e) => `body${e.instancePath} ${e.message} (${e.schemaPath})`));
      if (type === 'application/problem+json' && body.status !== answer.statusCode) problems.push(`problem status ${body.status} differs from ${status}`);
    }
    return problems;
  }
}
