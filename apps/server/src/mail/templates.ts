import type { Mail } from './mailer.js';

/** What a vendor brands: the name mails are signed with and the link they point to. */
export interface Brand {
  name: string;
  url: string;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** One mail from paragraphs: the text part as written, the HTML part escaped, with a footer naming the brand. */
function compose(brand: Brand, to: string[], subject: string, paragraphs: string[]): Mail {
  const footer = `${brand.name} — ${brand.url}`;
  return {
    to,
    subject: `[${brand.name}] ${subject}`,
    text: `${paragraphs.join('\n\n')}\n\n--\n${footer}\n`,
    html: `<!doctype html><html><body style="font-family:sans-serif">${paragraphs.map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`).join('')}<hr><p style="color:#666">${escapeHtml(footer)}</p></body></html>`,
  };
}

const day = (d: Date) => d.toISOString().slice(0, 10);

export const templates = {
  invitation: (brand: Brand, m: { to: string; organisation: string; inviter: string; role: string; url: string; expiresAt: Date }) =>
    compose(brand, [m.to], `${m.inviter} invited you to ${m.organisation}`, [
      `${m.inviter} invited you to join ${m.organisation} as ${m.role === 'admin' ? 'an admin' : `a ${m.role}`}.`,
      `Accept the invitation here (it works once, until ${day(m.expiresAt)}):\n${m.url}`,
      'If you did not expect this, ignore this mail.',
    ]),

  licenseKey: (brand: Brand, m: { to: string; organisation: string; product: string; plan: string; key: string; expiresAt: Date | null }) =>
    compose(brand, [m.to], `Your license key for ${m.product}`, [
      `A license for ${m.product} (${m.plan}) was issued to ${m.organisation}.`,
      `License key:\n${m.key}`,
      m.expiresAt ? `It is valid until ${day(m.expiresAt)}.` : 'It does not expire.',
      'Keep it safe: anyone with the key can use a seat of this license.',
    ]),

  expiryReminder: (brand: Brand, m: { to: string[]; organisation: string; product: string; licenseId: string; expiresAt: Date }) =>
    compose(brand, m.to, `${m.product} expires on ${day(m.expiresAt)}`, [
      `The license of ${m.organisation} for ${m.product} (${m.licenseId}) expires on ${day(m.expiresAt)}.`,
      'Renew it before then so that nobody is refused a seat.',
    ]),

  paymentFailed: (brand: Brand, m: { to: string[]; organisation: string; product: string; licenseId: string; graceUntil: Date }) =>
    compose(brand, m.to, `Payment failed for ${m.product}`, [
      `The last payment for ${m.organisation}'s license of ${m.product} (${m.licenseId}) failed.`,
      `The license keeps working until ${day(m.graceUntil)}; without a payment by then it is suspended. Update the payment method in the billing portal.`,
    ]),

  graceEnding: (brand: Brand, m: { to: string[]; organisation: string; product: string; licenseId: string; graceUntil: Date }) =>
    compose(brand, m.to, `${m.product} is suspended tomorrow without a payment`, [
      `No payment has arrived for ${m.organisation}'s license of ${m.product} (${m.licenseId}) since the last one failed.`,
      `Its grace ends on ${day(m.graceUntil)}: then the license is suspended until a payment arrives. Update the payment method in the billing portal.`,
    ]),

  webhookDisabled: (brand: Brand, m: { to: string[]; endpointId: string; url: string; reason: string }) =>
    compose(brand, m.to, 'A webhook endpoint was disabled', [
      `The webhook endpoint ${m.endpointId} (${m.url}) was disabled: ${m.reason}.`,
      'Events are no longer sent to it. Fix the receiver, enable the endpoint again (PATCH it with {"status": "enabled"}), and redeliver what failed from its delivery log.',
    ]),
};
