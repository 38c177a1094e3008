import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEMPLATE_NAMES, type TemplateName, type TemplateOverride } from './templates.js';

/**
 * A vendor's own templates, read once at start from a directory: `<name>.subject.txt`,
 * `<name>.txt` and `<name>.html` for any of the template names (`invitation`, `licenseKey`,
 * `expiryReminder`, `paymentFailed`, `graceEnding`, `webhookDisabled`); a part left out
 * keeps the built-in one.
 */
export function readTemplateOverrides(dir: string | null): Partial<Record<TemplateName, TemplateOverride>> {
  if (!dir) return {};
  const read = (file: string) => (existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8') : undefined);
  const overrides: Partial<Record<TemplateName, TemplateOverride>> = {};
  for (const name of TEMPLATE_NAMES) {
    const parts = { subject: read(`${name}.subject.txt`), text: read(`${name}.txt`), html: read(`${name}.html`) };
    const given = Object.fromEntries(Object.entries(parts).filter(([, v]) => v !== undefined)) as TemplateOverride;
    if (Object.keys(given).length > 0) overrides[name] = given;
  }
  return overrides;
}
