import { Marked, type Tokens } from 'marked';

const SAFE_URL = /^(https?:|mailto:|#|\/(?!\/))/i;

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Markdown for agent text. Sanitized by construction: raw HTML in the source is shown as text
 * (escaped), links keep only http(s), mailto, in-page and same-origin targets and open in a new
 * tab without an opener, and images become links (no remote fetches from a transcript).
 */
const markdown = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  renderer: {
    html({ text }: Tokens.HTML | Tokens.Tag): string {
      return escapeHtml(text);
    },
    link({ href, title, tokens }: Tokens.Link): string {
      const label = this.parser.parseInline(tokens);
      if (!SAFE_URL.test(href.trim())) return label;
      const t = title ? ` title="${escapeHtml(title)}"` : '';
      return `<a href="${escapeHtml(href)}"${t} target="_blank" rel="noopener noreferrer">${label}</a>`;
    },
    image({ href, text }: Tokens.Image): string {
      if (!SAFE_URL.test(href.trim())) return escapeHtml(text);
      return `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${escapeHtml(text || href)}</a>`;
    },
  },
});

/** Renders agent Markdown to HTML that is safe to insert (see above). */
export function renderMarkdown(source: string): string {
  return markdown.parse(source, { async: false });
}
