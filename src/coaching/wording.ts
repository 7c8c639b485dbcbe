import { ChatOpenAI } from '@langchain/openai';
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { z } from 'zod';
import { escapeUntrusted, loadPrompt, renderPrompt, type LlmConfig } from '../analysis/llm/index.js';
import type { Finding } from './rules.js';

/**
 * Better wording for findings, from the configured language model (LLM_MODEL). One request per
 * call; transcript quotes reach the model escaped, inside delimiters. A failure leaves the
 * findings without wording (the rule text stands on its own) and is reported to the caller.
 */
const outputSchema = z.object({ items: z.array(z.object({ index: z.number().int().min(0), wording: z.string().min(1) })).max(100) });

export interface Wording {
  byIndex: Map<number, string>;
  model: string;
  promptVersion: string;
}

export async function betterWording(findings: Finding[], config: LlmConfig, language: 'zh' | 'en'): Promise<Wording> {
  const prompt = await loadPrompt('coaching');
  const lines = findings.map((f, i) => {
    const customer = f.evidence.find((e) => e.speaker === 'customer')?.quote ?? '-';
    const rep = f.evidence.find((e) => e.speaker === 'rep')?.quote ?? '-';
    return `[${i}] ${f.rule}${f.key ? `(${f.key})` : ''} | ${escapeUntrusted(customer)} | ${escapeUntrusted(rep)}`;
  });
  const rendered = renderPrompt(prompt, { outputLanguage: language === 'zh' ? 'Simplified Chinese (简体中文)' : 'English', findings: lines.join('\n') });
  const model = new ChatOpenAI({
    model: config.model,
    apiKey: config.apiKey ?? 'not-needed',
    configuration: { baseURL: config.baseURL, apiKey: config.apiKey ?? 'not-needed' },
    temperature: 0.3,
    timeout: config.timeoutMs,
    maxRetries: config.maxRetries,
  });
  const method = config.structuredMethod ?? 'jsonMode';
  const out = await model
    .withStructuredOutput(outputSchema, { name: 'coaching_wording', method })
    .invoke([new SystemMessage(rendered.system), new HumanMessage(rendered.user)]);
  const parsed = outputSchema.parse(out);
  const byIndex = new Map<number, string>();
  for (const item of parsed.items) if (item.index < findings.length) byIndex.set(item.index, item.wording.trim().slice(0, 1000));
  return { byIndex, model: config.model, promptVersion: prompt.id };
}
