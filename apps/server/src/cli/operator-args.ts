import { parseArgs } from 'node:util';

/** How one option's text becomes a value. */
type OptionKind = 'string' | 'int' | 'list' | 'boolean';

/** One `--option` of an operator command, and the request field it fills. */
export interface OperatorOption {
  kind: OptionKind;
  /** The field of the request the value goes into (for naming zod issues); default: none. */
  field?: string;
  required?: boolean;
  help: string;
}

/** A mistake on the command line: exit 2 with these lines. */
export class OperatorUsageError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
  }
}

/** The parsed options (typed by kind) and positionals, or a usage error listing every mistake. */
export function parseOperatorArgs(
  args: string[],
  options: Record<string, OperatorOption>,
  positionals: number,
): { values: Record<string, string | number | string[] | boolean>; positionals: string[] } {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        ...Object.fromEntries(Object.entries(options).map(([name, o]) => [name, { type: o.kind === 'boolean' ? ('boolean' as const) : ('string' as const) }])),
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    // node:util's message, e.g. "Unknown option '--sets'", minus its advice about "--".
    throw new OperatorUsageError([(error as Error).message.replace(/\. To specify a positional argument.*$/s, '.')]);
  }
  const problems: string[] = [];
  const values: Record<string, string | number | string[] | boolean> = {};
  for (const [name, option] of Object.entries(options)) {
    const raw = parsed.values[name];
    if (raw === undefined) {
      if (option.required) problems.push(`--${name} is required: ${option.help}`);
      continue;
    }
    if (option.kind === 'boolean') values[name] = raw === true;
    else if (option.kind === 'int') {
      if (/^-?\d+$/.test(String(raw))) values[name] = Number(raw);
      else problems.push(`--${name}: "${String(raw)}" is not a whole number`);
    } else if (option.kind === 'list') {
      values[name] = String(raw)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    } else values[name] = String(raw);
  }
  if (parsed.positionals.length !== positionals) {
    problems.push(
      positionals === 0 ? `unexpected argument "${parsed.positionals[0]}"` : `expected ${positionals} argument(s), got ${parsed.positionals.length}`,
    );
  }
  if (problems.length) throw new OperatorUsageError(problems);
  return { values, positionals: parsed.positionals };
}

/** zod issues as `--option: message` lines, naming the option that fills each field. */
export function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[], options: Record<string, OperatorOption>): string[] {
  const optionFor = new Map(Object.entries(options).flatMap(([name, o]) => (o.field ? [[o.field, name] as const] : [])));
  return issues.map((issue) => {
    const field = String(issue.path[0] ?? '');
    const option = optionFor.get(field);
    return `${option ? `--${option}` : field || 'input'}: ${issue.message}`;
  });
}
