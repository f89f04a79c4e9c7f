import DOMPurify from "dompurify";
import { Marked } from "marked";

const ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

/**
 * Model output is Markdown from an untrusted source. Two layers keep it inert:
 * raw HTML inside the Markdown is rendered as visible text (never as markup),
 * and the HTML that marked produces still goes through DOMPurify with a small
 * allow-list. The page's CSP (no inline script) is the third.
 */
const markdown = new Marked({
  gfm: true,
  breaks: true,
  async: false,
  renderer: {
    html: ({ text }) => escapeHtml(text),
  },
});

const SANITIZE = {
  ALLOWED_TAGS: [
    "a", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "li", "ol", "p", "pre", "s", "span", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
  ],
  ALLOWED_ATTR: ["href", "title", "align"],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#)/i,
  RETURN_DOM_FRAGMENT: true as const,
};

/** Sanitised DOM for a Markdown string; safe to append anywhere in the page. */
export function renderMarkdown(source: string): DocumentFragment {
  const html = markdown.parse(source, { async: false });
  return DOMPurify.sanitize(html, SANITIZE);
}
