/** pino level names as Cloud Logging's LogSeverity names them. */
const SEVERITY: Record<string, string> = {
  trace: 'DEBUG',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
  fatal: 'CRITICAL',
};

/**
 * Logger options for the server: JSON lines that keep pino's numeric `level`
 * and add the `severity` Cloud Logging reads, so an error shows as ERROR there.
 */
export function serverLoggerOptions(level: string) {
  return {
    level,
    formatters: {
      level: (label: string, number: number) => ({ level: number, severity: SEVERITY[label] ?? 'DEFAULT' }),
    },
  };
}
