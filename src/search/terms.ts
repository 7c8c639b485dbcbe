import { tokenize } from '../analysis/text/index.js';

// Function words that would match nearly every segment.
const STOP = new Set([
  '的', '了', '是', '在', '我', '你', '您', '我们', '你们', '这个', '那个', '吗', '呢', '吧', '啊', '和', '就', '都', '也', '有', '还', '一下',
  'the', 'a', 'an', 'of', 'to', 'in', 'on', 'and', 'or', 'is', 'are', 'was', 'we', 'you', 'it', 'for', 'with', 'do', 'does', 'what', 'how',
]);

/** Query terms for keyword matching: jieba words (Chinese) or words (English), without stop words. */
export function searchTerms(query: string): string[] {
  const tokens = tokenize(query).map((t) => t.norm.trim()).filter((t) => t && !STOP.has(t));
  // A single Han character matches too much unless it is the whole query.
  const useful = tokens.filter((t) => t.length > 1 || tokens.length === 1);
  return [...new Set(useful)].slice(0, 10);
}
