import { type Alert, approvalAlert } from '../../../lambda/alert-formatter/alert';
import { type ActionEvent, parseEvent } from '../../../lambda/alert-formatter/events';
import { alertMessage, chatbotNotification, emailSubject, emailText, plainEventMessage, rawEventMessage, snsSubject, truncate } from '../../../lambda/alert-formatter/render';
import { APPROVAL_MESSAGE, APPROVAL_WAITING, IMAGE_FAILED } from './samples';

const ALERT: Alert = {
  outcome: 'failed',
  title: 'golden-ami: BuildImage / Image-app-linux.golden-ami-image-app-linux.Deploy failed',
  facts: [
    ['Pipeline', 'golden-ami'],
    ['Stage', 'BuildImage'],
    ['Commit', '9f8e7d6c5b4a "Bump nginx to 1.27" by Jane Doe <jane@example.com>'],
  ],
  reason: 'Image (AWS::ImageBuilder::Image) CREATE_FAILED: Resource handler returned message: "```exit 1```"',
  links: [
    ['Pipeline execution', 'https://eu-west-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/golden-ami/executions/e-1/timeline?region=eu-west-1'],
    ['Stack events', 'https://eu-west-1.console.aws.amazon.com/cloudformation/home?region=eu-west-1#/stacks/events?stackId=s'],
  ],
  eventId: 'ev-1',
  threadId: 'e-1',
};

// SNS Publish: "Subject … must be ASCII text that begins with a letter, number, or punctuation mark; must not include
// line breaks or control characters; and must be less than 100 characters long."
// https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
describe('snsSubject keeps to what SNS accepts', () => {
  test.each([
    ['plain text stays', 'FAILED: golden-ami: pipeline execution failed', 'FAILED: golden-ami: pipeline execution failed'],
    ['line breaks and runs of spaces become one space', 'a\nb\t\tc', 'a b c'],
    ['non-ASCII becomes ?', 'FAILED: café ✅', 'FAILED: caf? ?'],
    ['cut below 100 characters, saying so', `FAILED: ${'x'.repeat(200)}`, `FAILED: ${'x'.repeat(88)}...`],
    ['starts with a letter, number or punctuation', ' ✅ ok', '? ok'],
    ['an en or em dash becomes a hyphen', 'golden-ami: approval waiting — Approve-production', 'golden-ami: approval waiting - Approve-production'],
  ])('%s', (_, input, expected) => {
    const subject = snsSubject(input);
    expect(subject).toBe(expected);
    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(/^[\x21-\x7E][\x20-\x7E]*$/);
  });

  test('an empty subject becomes ALERT', () => {
    expect(snsSubject(' \n ')).toBe('ALERT');
  });
});

test('truncate says how much it cut and keeps within the limit', () => {
  expect(truncate('short', 10)).toBe('short');
  const cut = truncate('x'.repeat(500), 100);
  expect(cut.length).toBeLessThanOrEqual(100);
  expect(cut).toMatch(/… \(\d+ more characters\)$/);
});

test('the e-mail is plain text: title, aligned facts, reason, links, event id', () => {
  expect(emailSubject(ALERT)).toBe('FAILED: golden-ami: BuildImage / Image-app-linux.golden-ami-image-app-linux.Deploy failed');
  expect(emailText(ALERT)).toBe(
    [
      'golden-ami: BuildImage / Image-app-linux.golden-ami-image-app-linux.Deploy failed',
      '',
      'Pipeline: golden-ami',
      'Stage:    BuildImage',
      'Commit:   9f8e7d6c5b4a "Bump nginx to 1.27" by Jane Doe <jane@example.com>',
      '',
      'Reason:',
      '  Image (AWS::ImageBuilder::Image) CREATE_FAILED: Resource handler returned message: "```exit 1```"',
      '',
      'Links:',
      '  Pipeline execution: https://eu-west-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/golden-ami/executions/e-1/timeline?region=eu-west-1',
      '  Stack events:       https://eu-west-1.console.aws.amazon.com/cloudformation/home?region=eu-west-1#/stacks/events?stackId=s',
      '',
      'Event ev-1',
    ].join('\n'),
  );
});

// AWS Chatbot custom notification schema: version "1.0", source "custom", content.textType "client-markdown",
// content.title, content.description (required), metadata.threadId. https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html
test('the chat message is an AWS Chatbot custom notification; the reason cannot close its code block', () => {
  const n = chatbotNotification(ALERT) as { version: string; source: string; id: string; content: { textType: string; title: string; description: string }; metadata: { threadId: string } };
  expect(n).toMatchObject({ version: '1.0', source: 'custom', id: 'ev-1', content: { textType: 'client-markdown' }, metadata: { threadId: 'e-1' } });
  expect(n.content.title).toBe(':x: golden-ami: BuildImage / Image-app-linux.golden-ami-image-app-linux.Deploy failed');
  expect(n.content.description).toContain('*Stage:* BuildImage');
  expect(n.content.description).toContain("\"'''exit 1'''\"");
  expect(n.content.description.match(/```/g)).toHaveLength(2);
  expect(n.content.description).toContain('Stack events: https://');
});

test('a very long reason is cut in chat (facts and links stay) and kept longer in e-mail', () => {
  const long = { ...ALERT, reason: 'y'.repeat(20_000) };
  const n = chatbotNotification(long) as { content: { description: string } };
  expect(n.content.description.length).toBeLessThanOrEqual(2900);
  expect(n.content.description).toContain('Pipeline execution: https://');
  expect(emailText(long).length).toBeGreaterThan(7000);
  expect(emailText(long).length).toBeLessThan(9000);
});

test('one Publish carries both: e-mail gets the text, every other protocol (Chatbot over HTTPS) the notification', () => {
  const m = alertMessage(ALERT);
  expect(m.MessageStructure).toBe('json');
  const body = JSON.parse(m.Message);
  expect(Object.keys(body).sort()).toEqual(['default', 'email']);
  expect(body.email).toBe(emailText(ALERT));
  expect(JSON.parse(body.default)).toEqual(chatbotNotification(ALERT));
});

test('unformatted: e-mail gets the event verbatim, chat a notification quoting it, the subject names its kind', () => {
  const m = rawEventMessage(IMAGE_FAILED, 'AccessDeniedException: not authorized');
  const body = JSON.parse(m.Message);
  expect(m.Subject).toBe('ALERT (unformatted): aws.imagebuilder EC2 Image Builder Image State Change');
  expect(JSON.parse(body.email)).toEqual(IMAGE_FAILED);
  const chat = JSON.parse(body.default);
  expect(chat).toMatchObject({ version: '1.0', source: 'custom', id: IMAGE_FAILED.id, content: { textType: 'client-markdown' } });
  expect(chat.content.description).toContain('AccessDeniedException: not authorized');
  expect(chat.content.description).toContain(JSON.stringify(IMAGE_FAILED.detail));
});

test('unformatted, whatever the event is', () => {
  for (const event of ['text', 42, null, undefined, { no: 'fields' }]) {
    const m = rawEventMessage(event, 'UnrecognizedEvent');
    expect(m.Subject).toMatch(/^ALERT \(unformatted\): /);
    expect(() => JSON.parse(JSON.parse(m.Message).default)).not.toThrow();
  }
  expect(plainEventMessage({ a: 1 })).toEqual({ Subject: 'ALERT (unformatted)', Message: '{"a":1}' });
});

describe('an approval that waits, rendered', () => {
  const waiting = parseEvent(APPROVAL_WAITING) as ActionEvent;
  const TOKEN = 'a1b2c3d4-0000-4000-8000-123456789abc';

  test('with its resolved message: the subject asks for action; e-mail and chat carry the message and the command with the token', () => {
    const alert = approvalAlert(waiting, undefined, { message: APPROVAL_MESSAGE, token: TOKEN, unread: [] });
    expect(emailSubject(alert)).toBe('ACTION NEEDED: golden-ami: approval waiting - Approve-production (stage Deploy-production)');
    const email = emailText(alert);
    expect(email).toContain(['Message:', `  ${APPROVAL_MESSAGE}`, '', 'To approve or reject:', '  # in the console: open the pipeline execution (link below) and choose Review on Approve-production'].join('\n'));
    expect(email).toContain(`  aws codepipeline put-approval-result --region eu-west-1 --pipeline-name golden-ami --stage-name Deploy-production --action-name Approve-production --token ${TOKEN} --result summary=Reviewed,status=Approved`);
    expect(email).not.toContain('Could not be read');
    const chat = chatbotNotification(alert) as { content: { title: string; description: string } };
    expect(chat.content.title).toBe(':raised_hand: golden-ami: approval waiting — Approve-production (stage Deploy-production)');
    expect(chat.content.description).toContain(`*Message:*\n${APPROVAL_MESSAGE}`);
    // The commands in a code block, to copy.
    expect(chat.content.description).toMatch(/\*To approve or reject:\*\n```# in the console[^`]*put-approval-result[^`]*```/);
    expect(chat.content.description).toContain('Pipeline execution: https://');
    expect(chat.content.description.length).toBeLessThanOrEqual(2900);
  });

  test('without it: the alert still says that an approval waits and where, and what could not be read', () => {
    const alert = approvalAlert(waiting, undefined, { unread: ['the message (ListActionExecutions): AccessDeniedException: not authorized'] });
    const email = emailText(alert);
    expect(email).toContain('Stage:         Deploy-production');
    expect(email).toContain('Approval:      Approve-production');
    expect(email).toContain('Message:\n  Not read. The console shows it: open the pipeline execution and choose Review on Approve-production.');
    expect(email).toContain('Could not be read:\n  the message (ListActionExecutions): AccessDeniedException: not authorized');
    expect(email).toContain('--token "$TOKEN"');
    expect((chatbotNotification(alert) as { content: { description: string } }).content.description).toContain('*Could not be read:*');
  });
});
