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
    code({ text, lang }: Tokens.Code): string {
      // The language only ever becomes a class name: keep it to a safe alphabet.
      const language = (lang ?? '').match(/^[\w+#.-]{1,32}/)?.[0] ?? '';
      const cls = language ? ` class="language-${language}"` : '';
      return (
        `<div class="code-block"><button type="button" class="copy-code" aria-label="Copy code">Copy</button>` +
        `<pre><code${cls}>${escapeHtml(text)}</code></pre></div>`
      );
    },
    image({ href, text }: Tokens.Image): string {
      if (!SAFE_URL.test(href.trim())) return escapeHtml(text);
      return `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${escapeHtml(text || href)}</a>`;
    },
  },
});

/** Rendered texts, most recently used last: the virtual list renders an item again each time it scrolls into view. */
const cache = new Map<string, string>();
const CACHE_ENTRIES = 500;

/**
 * Renders agent Markdown to HTML that is safe to insert (see above). Code blocks come out as
 * `.code-block` with a copy button and a `language-…` class; `highlightCode` colours them later.
 */
export function renderMarkdown(source: string): string {
  const hit = cache.get(source);
  if (hit !== undefined) {
    cache.delete(source);
    cache.set(source, hit);
    return hit;
  }
  const html = markdown.parse(source, { async: false });
  cache.set(source, html);
  if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  return html;
}
