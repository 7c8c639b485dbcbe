/**
 * Versioned prompt files (`prompts/<name>.v<N>.md`) and the rendering of untrusted text into them.
 *
 * File format: anything before the first section marker is a comment for maintainers and is
 * ignored; a line `=== system ===` starts the system message, a line `=== user ===` the user
 * message. Placeholders are `{{name}}`; rendering is one pass of plain string replacement (no
 * evaluation), so a value that itself contains `{{…}}` (a transcript saying "{{taxonomy}}") is
 * inserted literally and never expanded. A placeholder without a value is an error, so a typo in
 * a prompt file fails loudly instead of sending "{{transcrpit}}" to the model.
 *
 * Untrusted text (transcript lines, tenant labels, model-written window summaries) goes through
 * `escapeUntrusted` before it is rendered: `&`, `<`, `>` become `&amp;`, `&lt;`, `&gt;` and line
 * breaks become spaces. The prompt's delimiters are tags (`<transcript>` … `</transcript>`) and
 * every record is one line, so no untrusted text can close the block, open a fake block, or forge
 * a line of another speaker.
 */
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { Segment } from '../types.js';

export interface PromptFile {
  name: string;
  version: number;
  /** `<name>.v<version>`, what an analysis records as its prompt version. */
  id: string;
  system: string;
  user: string;
}

export class PromptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromptError';
  }
}

/** `prompts/` at the repository root (this file lives in src/analysis/llm/). */
export const DEFAULT_PROMPTS_DIR = fileURLToPath(new URL('../../../prompts/', import.meta.url));

const NAME_RE = /^[a-z][a-z0-9-]{0,63}$/;
const FILE_RE = /^([a-z][a-z0-9-]{0,63})\.v([1-9][0-9]{0,5})\.md$/;
const SECTION_RE = /^===\s*(system|user)\s*===\s*$/;

/** Parse a prompt file name: `analysis.v12.md` → { name: 'analysis', version: 12 }; anything else → undefined. */
export function parsePromptFileName(file: string): { name: string; version: number } | undefined {
  const m = FILE_RE.exec(file);
  if (!m) return undefined;
  return { name: m[1]!, version: Number(m[2]) };
}

/** Versions of `name` present in `dir`, ascending. */
export async function listPromptVersions(name: string, dir = DEFAULT_PROMPTS_DIR): Promise<number[]> {
  if (!NAME_RE.test(name)) throw new PromptError(`invalid prompt name "${name}"`);
  let files: string[];
  try {
    files = await readdir(dir);
  } catch (err) {
    throw new PromptError(`cannot read prompt directory ${dir}: ${(err as Error).message}`);
  }
  return files
    .map(parsePromptFileName)
    .filter((p): p is { name: string; version: number } => p !== undefined && p.name === name)
    .map((p) => p.version)
    .sort((a, b) => a - b);
}

/** Split a prompt file's text into its system and user sections. */
export function parsePromptText(text: string, what = 'prompt'): { system: string; user: string } {
  const sections: Partial<Record<'system' | 'user', string[]>> = {};
  let current: string[] | undefined;
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    const m = SECTION_RE.exec(line);
    if (m) {
      const key = m[1] as 'system' | 'user';
      if (sections[key]) throw new PromptError(`${what}: section "${key}" appears twice`);
      current = sections[key] = [];
      continue;
    }
    current?.push(line);
  }
  const system = sections.system?.join('\n').trim();
  const user = sections.user?.join('\n').trim();
  if (!system) throw new PromptError(`${what}: missing or empty "=== system ===" section`);
  if (!user) throw new PromptError(`${what}: missing or empty "=== user ===" section`);
  return { system, user };
}

const cache = new Map<string, Promise<PromptFile>>();

/**
 * Load `prompts/<name>.v<version>.md`; without `version`, the highest version present. Files are
 * read once per process (prompts are part of the deployment, not runtime data).
 */
export async function loadPrompt(name: string, version?: number, opts: { dir?: string } = {}): Promise<PromptFile> {
  if (!NAME_RE.test(name)) throw new PromptError(`invalid prompt name "${name}"`);
  const dir = opts.dir ?? DEFAULT_PROMPTS_DIR;
  let v = version;
  if (v === undefined) {
    const versions = await listPromptVersions(name, dir);
    v = versions[versions.length - 1];
    if (v === undefined) throw new PromptError(`no prompt file "${name}.v<N>.md" in ${dir}`);
  }
  if (!Number.isInteger(v) || v < 1) throw new PromptError(`invalid prompt version ${String(v)}`);
  const file = path.join(dir, `${name}.v${v}.md`);
  let hit = cache.get(file);
  if (!hit) {
    const ver = v;
    hit = (async () => {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        throw new PromptError(`cannot read prompt ${name}.v${ver}: ${(err as Error).message}`);
      }
      return { name, version: ver, id: `${name}.v${ver}`, ...parsePromptText(text, `${name}.v${ver}.md`) };
    })();
    cache.set(file, hit);
    hit.catch(() => cache.delete(file));
  }
  return hit;
}

const PLACEHOLDER_RE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Replace `{{name}}` placeholders in one pass; values are inserted literally. Unknown placeholder → PromptError. */
export function renderTemplate(template: string, vars: Readonly<Record<string, string | number>>): string {
  return template.replace(PLACEHOLDER_RE, (_m, key: string) => {
    if (!Object.prototype.hasOwnProperty.call(vars, key)) throw new PromptError(`no value for placeholder {{${key}}}`);
    return String(vars[key]);
  });
}

/** Render both sections of a prompt. */
export function renderPrompt(prompt: PromptFile, vars: Readonly<Record<string, string | number>>): { system: string; user: string } {
  return { system: renderTemplate(prompt.system, vars), user: renderTemplate(prompt.user, vars) };
}

/**
 * Make untrusted text safe to place between tag delimiters on a single line: `&`, `<`, `>` are
 * written as entities (so `</transcript>` becomes `&lt;/transcript&gt;`), line breaks (including
 * U+2028/U+2029) become one space, other control characters are removed.
 */
export function escapeUntrusted(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\r\n\u2028\u2029\u0085]+/g, ' ')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
}

/** Undo `escapeUntrusted`'s entities (used to recognise a quote the model copied in escaped form). */
export function unescapeUntrusted(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

const fmtTime = (t: number): string => (Number.isFinite(t) ? t.toFixed(1) : '?');

/**
 * One line per segment: `[idx] [role] [start-end] text`, where idx is the index in the whole
 * transcript (evidence refers to it), role is one of rep/customer/unknown (never the free-text
 * speaker name), and text is escaped.
 */
export function formatTranscriptLines(segments: readonly Segment[], from = 0, to = segments.length): string {
  const lines: string[] = [];
  for (let i = from; i < to; i++) {
    const s = segments[i];
    if (!s) continue;
    const role = s.role === 'rep' || s.role === 'customer' ? s.role : 'unknown';
    lines.push(`[${i}] [${role}] [${fmtTime(s.start)}-${fmtTime(s.end)}] ${escapeUntrusted(typeof s.text === 'string' ? s.text : '').trim()}`);
  }
  return lines.join('\n');
}

/** Taxonomy lines for the system prompt: `- code: label — description` (escaped, one line each). */
export function formatTaxonomy(taxonomy: readonly { code: string; label: string; description?: string }[]): string {
  return taxonomy
    .map((t) => {
      const desc = t.description ? ` — ${escapeUntrusted(t.description)}` : '';
      return `- ${escapeUntrusted(t.code)}: ${escapeUntrusted(t.label)}${desc}`;
    })
    .join('\n');
}
