/**
 * How an alert reaches people through the one SNS topic. One Publish with MessageStructure "json" carries a message per
 * protocol (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html): e-mail subscriptions get plain text; AWS
 * Chatbot, which subscribes over HTTPS (endpoint https://global.sns-api.chatbot.amazonaws.com), and every other
 * protocol get the "default" message, an AWS Chatbot custom notification
 * (https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html: version "1.0", source "custom",
 * content.description required). Pure.
 */
import type { Alert } from './alert';

/** SNS limits a subject to ASCII printable characters, no line breaks, under 100 characters (Publish: Subject). */
export function snsSubject(text: string): string {
  // Trimmed, it begins with a letter, number or ASCII punctuation mark, as SNS requires. Dashes read as dashes.
  const ascii = text.replace(/\s+/g, ' ').replace(/[\u2013\u2014]/g, '-').replace(/[^\x20-\x7E]/g, '?').trim() || 'ALERT';
  return ascii.length > 99 ? `${ascii.slice(0, 96)}...` : ascii;
}

/** Keeps a text within `max` characters, saying that it was cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = `… (${text.length - max} more characters)`;
  return `${text.slice(0, Math.max(max - note.length, 0))}${note}`;
}

/** A reason or action list can be long (a component's output); e-mail keeps more of it than a chat message. */
const EMAIL_REASON_MAX = 8000;
/** Slack shows a section of up to 3,000 characters; the description is kept below that as a whole. */
const CHAT_DESCRIPTION_MAX = 2900;
/** Chatbot's title is one line of a notification. */
const CHAT_TITLE_MAX = 250;

const MARK = { failed: 'FAILED', succeeded: 'OK', waiting: 'ACTION NEEDED', other: 'INFO' } as const;
const EMOJI = { failed: ':x:', succeeded: ':white_check_mark:', waiting: ':raised_hand:', other: ':information_source:' } as const;

export function emailSubject(alert: Alert): string {
  return snsSubject(`${MARK[alert.outcome]}: ${alert.title}`);
}

/** The e-mail body: plain text, labels aligned, links last. */
export function emailText(alert: Alert): string {
  const width = Math.max(...alert.facts.map(([label]) => label.length)) + 2;
  const lines = [alert.title, '', ...alert.facts.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}`)];
  if (alert.reason) lines.push('', 'Reason:', ...indent(truncate(alert.reason, EMAIL_REASON_MAX)));
  if (alert.failedActions?.length) lines.push('', 'Failed actions:', ...alert.failedActions.flatMap((a) => indent(`- ${truncate(a, EMAIL_REASON_MAX / 4)}`)));
  for (const section of alert.sections ?? []) lines.push('', `${section.heading}:`, ...indent(truncate(section.text, EMAIL_REASON_MAX)));
  if (alert.links.length) {
    const linkWidth = Math.max(...alert.links.map(([label]) => label.length)) + 2;
    lines.push('', 'Links:', ...alert.links.map(([label, url]) => `  ${`${label}:`.padEnd(linkWidth)}${url}`));
  }
  lines.push('', `Event ${alert.eventId}`);
  return lines.join('\n');
}

function indent(text: string): string[] {
  return text.split('\n').map((l) => `  ${l}`);
}

/** Text inside a Markdown code block must not close it. */
const inCode = (text: string) => text.replace(/```/g, "'''");

/** The AWS Chatbot custom notification (Slack, Microsoft Teams). */
export function chatbotNotification(alert: Alert): object {
  const facts = alert.facts.map(([label, value]) => `*${label}:* ${value}`).join('\n');
  const links = alert.links.map(([label, url]) => `${label}: ${url}`).join('\n');
  // The reason (or a section) is what gets cut when the message is too long: facts and links always fit.
  const room = Math.max(CHAT_DESCRIPTION_MAX - facts.length - links.length - 40, 200);
  const sections = (alert.sections ?? []).map((s) => `*${s.heading}:*\n${s.code ? `\`\`\`${inCode(s.text)}\`\`\`` : s.text}`).join('\n');
  const detail = [
    alert.reason ? `*Reason:*\n\`\`\`${inCode(truncate(alert.reason, room))}\`\`\`` : '',
    alert.failedActions?.length ? `*Failed actions:*\n${alert.failedActions.map((a) => `• ${a}`).join('\n')}` : '',
    truncate(sections, room),
  ]
    .filter(Boolean)
    .join('\n');
  return {
    version: '1.0',
    source: 'custom',
    id: alert.eventId,
    content: {
      textType: 'client-markdown',
      title: truncate(`${EMOJI[alert.outcome]} ${alert.title}`, CHAT_TITLE_MAX),
      description: truncate([facts, detail, links].filter(Boolean).join('\n\n'), CHAT_DESCRIPTION_MAX),
    },
    metadata: { threadId: alert.threadId, summary: alert.title },
  };
}

/** The Publish request: e-mail gets text, every other protocol the Chatbot notification. */
export interface SnsMessage {
  readonly Subject: string;
  readonly Message: string;
  readonly MessageStructure?: 'json';
}

export function alertMessage(alert: Alert): SnsMessage {
  const chat = JSON.stringify(chatbotNotification(alert));
  return { Subject: emailSubject(alert), MessageStructure: 'json', Message: JSON.stringify({ default: chat, email: emailText(alert) }) };
}

/**
 * The event as it came, when it could not be formatted: e-mail gets it verbatim (indented JSON), chat a custom
 * notification that quotes it (Chatbot drops a message it cannot read).
 */
export function rawEventMessage(event: unknown, why: string): SnsMessage {
  const json = JSON.stringify(event, null, 2) ?? String(event);
  const o = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  const kind = [o.source, o['detail-type']].filter((v) => typeof v === 'string').join(' ') || 'unknown event';
  const chat = {
    version: '1.0',
    source: 'custom',
    ...(typeof o.id === 'string' ? { id: o.id } : {}),
    content: {
      textType: 'client-markdown',
      title: truncate(`:warning: golden-ami-pipeline alert, not formatted: ${kind}`, CHAT_TITLE_MAX),
      description: truncate(`The alert formatter could not read this event (${why}); here it is as it came:\n\`\`\`${inCode(truncate(JSON.stringify(event) ?? '', 2400))}\`\`\``, CHAT_DESCRIPTION_MAX),
    },
  };
  return { Subject: snsSubject(`ALERT (unformatted): ${kind}`), MessageStructure: 'json', Message: JSON.stringify({ default: JSON.stringify(chat), email: json }) };
}

/** The last resort: the event alone, one message for every protocol (no structure that could be refused). */
export function plainEventMessage(event: unknown): SnsMessage {
  return { Subject: 'ALERT (unformatted)', Message: JSON.stringify(event) ?? String(event) };
}
