import type { Mail } from './mailer.js';

/** The parts of one mail a vendor may replace; `{{name}}` in them is filled in (escaped in HTML). */
export interface TemplateOverride {
  subject?: string;
  text?: string;
  html?: string;
}

export const TEMPLATE_NAMES = ['invitation', 'licenseKey', 'expiryReminder', 'paymentFailed', 'graceEnding', 'webhookDisabled'] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

/** What a vendor brands: the name mails are signed with, the link they point to, and any template replaced. */
export interface Brand {
  name: string;
  url: string;
  overrides?: Partial<Record<TemplateName, TemplateOverride>>;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const day = (d: Date) => d.toISOString().slice(0, 10);

const fill = (template: string, vars: Record<string, string>, encode: (s: string) => string) =>
  template.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (whole, key: string) => (key in vars ? encode(vars[key] as string) : whole));

/**
 * One mail from paragraphs: the text part as written, the HTML part escaped, with a footer
 * naming the brand; then whatever the vendor replaced for this template, filled in with the
 * mail's facts (dates as YYYY-MM-DD, lists comma-separated) and `brand`, `brandUrl`.
 */
function compose(brand: Brand, name: TemplateName, facts: Record<string, unknown>, subject: string, paragraphs: string[]): Mail {
  const footer = `${brand.name} — ${brand.url}`;
  const to = Array.isArray(facts.to) ? (facts.to as string[]) : [String(facts.to)];
  const built: Mail = {
    to,
    subject: `[${brand.name}] ${subject}`,
    text: `${paragraphs.join('\n\n')}\n\n--\n${footer}\n`,
    html: `<!doctype html><html><body style="font-family:sans-serif">${paragraphs.map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`).join('')}<hr><p style="color:#666">${escapeHtml(footer)}</p></body></html>`,
  };
  const override = brand.overrides?.[name];
  if (!override) return built;
  const vars: Record<string, string> = { brand: brand.name, brandUrl: brand.url };
  for (const [key, value] of Object.entries(facts)) {
    vars[key] = value instanceof Date ? day(value) : Array.isArray(value) ? value.join(', ') : value === null ? '' : String(value);
  }
  const plain = (s: string) => s;
  return {
    to,
    subject: override.subject
      ? fill(override.subject, vars, plain)
          .replace(/[\r\n]+/g, ' ')
          .trim()
      : built.subject,
    text: override.text ? fill(override.text, vars, plain) : built.text,
    html: override.html ? fill(override.html, vars, escapeHtml) : built.html,
  };
}

export const templates = {
  invitation: (brand: Brand, m: { to: string; organisation: string; inviter: string; role: string; url: string; expiresAt: Date }) =>
    compose(brand, 'invitation', m, `${m.inviter} invited you to ${m.organisation}`, [
      `${m.inviter} invited you to join ${m.organisation} as ${m.role === 'admin' ? 'an admin' : `a ${m.role}`}.`,
      `Accept the invitation here (it works once, until ${day(m.expiresAt)}):\n${m.url}`,
      'If you did not expect this, ignore this mail.',
    ]),

  licenseKey: (brand: Brand, m: { to: string; organisation: string; product: string; plan: string; key: string; expiresAt: Date | null }) =>
    compose(brand, 'licenseKey', m, `Your license key for ${m.product}`, [
      `A license for ${m.product} (${m.plan}) was issued to ${m.organisation}.`,
      `License key:\n${m.key}`,
      m.expiresAt ? `It is valid until ${day(m.expiresAt)}.` : 'It does not expire.',
      'Keep it safe: anyone with the key can use a seat of this license.',
    ]),

  expiryReminder: (brand: Brand, m: { to: string[]; organisation: string; product: string; licenseId: string; expiresAt: Date }) =>
    compose(brand, 'expiryReminder', m, `${m.product} expires on ${day(m.expiresAt)}`, [
      `The license of ${m.organisation} for ${m.product} (${m.licenseId}) expires on ${day(m.expiresAt)}.`,
      'Renew it before then so that nobody is refused a seat.',
    ]),

  paymentFailed: (brand: Brand, m: { to: string[]; organisation: string; product: string; licenseId: string; graceUntil: Date }) =>
    compose(brand, 'paymentFailed', m, `Payment failed for ${m.product}`, [
      `The last payment for ${m.organisation}'s license of ${m.product} (${m.licenseId}) failed.`,
      `The license keeps working until ${day(m.graceUntil)}; without a payment by then it is suspended. Update the payment method in the billing portal.`,
    ]),

  graceEnding: (brand: Brand, m: { to: string[]; organisation: string; product: string; licenseId: string; graceUntil: Date }) =>
    compose(brand, 'graceEnding', m, `${m.product} is suspended tomorrow without a payment`, [
      `No payment has arrived for ${m.organisation}'s license of ${m.product} (${m.licenseId}) since the last one failed.`,
      `Its grace ends on ${day(m.graceUntil)}: then the license is suspended until a payment arrives. Update the payment method in the billing portal.`,
    ]),

  webhookDisabled: (brand: Brand, m: { to: string[]; endpointId: string; url: string; reason: string }) =>
    compose(brand, 'webhookDisabled', m, 'A webhook endpoint was disabled', [
      `The webhook endpoint ${m.endpointId} (${m.url}) was disabled: ${m.reason}.`,
      'Events are no longer sent to it. Fix the receiver, enable the endpoint again (PATCH it with {"status": "enabled"}), and redeliver what failed from its delivery log.',
    ]),
};
