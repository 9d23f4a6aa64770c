/**
 * Escapes text for Telegram's HTML, Slack's mrkdwn and HTML element content alike: all three give
 * meaning to exactly `&`, `<` and `>` there (quotes matter only inside attributes, where Thunder
 * puts no text).
 */
export function escapeMarkup(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
