/** Slack mrkdwn as plain text for a customer: links, mentions and escapes resolved. */
export function slackToPlain(text: string): string {
  return text
    .replace(/<([^<>|]+)\|([^<>]+)>/g, (_, target: string, label: string) =>
      target.startsWith('@') || target.startsWith('#') ? label : `${label} (${target})`,
    )
    .replace(/<(https?:\/\/[^<>]+|mailto:[^<>]+|tel:[^<>]+)>/g, (_, url: string) => url.replace(/^(mailto|tel):/, ''))
    .replace(/<[@#!][^<>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
}

/** A question to the bot without the leading @mention. */
export function withoutMentions(text: string): string {
  return text
    .replace(/<@[A-Z0-9]+(\|[^>]*)?>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
