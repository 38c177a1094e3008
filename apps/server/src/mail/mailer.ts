import nodemailer from 'nodemailer';

/** One mail, in plain text and HTML. */
export interface Mail {
  to: string[];
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
  close(): void;
}

/** A line for the log: what a mail would have said, or why one failed. */
export type MailLog = (entry: Record<string, unknown>, message: string) => void;

/**
 * Sends through SMTP (`smtp://user:pass@host:587`, `smtps://…` for TLS from the start)
 * when configured; without it, development mode: each mail is written to the log instead.
 */
export function createMailer(settings: { smtpUrl: string | null; from: string }, log: MailLog): Mailer {
  if (!settings.smtpUrl) {
    return {
      async send(mail) {
        log({ mail: { to: mail.to, subject: mail.subject, text: mail.text } }, 'mail not sent (no LEASEHOLD_SMTP_URL): development mode');
      },
      close() {},
    };
  }
  const transport = nodemailer.createTransport(settings.smtpUrl, { from: settings.from });
  return {
    async send(mail) {
      await transport.sendMail({ to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
    },
    close() {
      transport.close();
    },
  };
}
