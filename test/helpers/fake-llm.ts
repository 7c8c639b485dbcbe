import Fastify from 'fastify';

/**
 * A real HTTP server speaking the OpenAI `POST /v1/chat/completions` protocol, for the LLM engine
 * tests: real SDK (LangChain → openai), real HTTP, scripted replies.
 *
 * A reply is what the "model" says; the server shapes it for the structured-output mechanism the
 * request asked for, so the same script works for every method:
 * - request with a forced tool (`tool_choice: {type:"function"}`) → an assistant message with one
 *   tool call whose `arguments` is the payload;
 * - otherwise (`response_format` json_object / json_schema, or none) → the payload as `content`.
 */
export type FakeReply =
  /** A JSON value, serialised and placed where the mechanism expects it. */
  | { json: unknown; delayMs?: number }
  /** A raw string in the same place (for broken JSON). */
  | { raw: string; delayMs?: number }
  /** Plain assistant text, never a tool call (a model that ignores tool_choice). */
  | { content: string; delayMs?: number }
  /** An HTTP error. */
  | { status: number; message?: string; delayMs?: number };

export interface ChatMessage {
  role: string;
  content: string;
}

export interface RecordedChatRequest {
  /** 0-based, over every request received. */
  n: number;
  body: Record<string, unknown>;
  model: string;
  messages: ChatMessage[];
  /** The system message(s), joined. */
  system: string;
  /** The user message(s), joined with a blank line. */
  user: string;
  /** Which structured-output mechanism the request used. */
  mechanism: 'tool' | 'json_object' | 'json_schema' | 'none';
  toolName?: string;
  authorization?: string;
}

export type FakeHandler = (req: RecordedChatRequest) => FakeReply | Promise<FakeReply>;

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((p) => (p && typeof p === 'object' && 'text' in p && typeof p.text === 'string' ? p.text : '')).join('');
  }
  return '';
}

export async function startFakeLlm(opts: { handler?: FakeHandler } = {}) {
  const requests: RecordedChatRequest[] = [];
  const queue: FakeReply[] = [];
  let handler: FakeHandler | undefined = opts.handler;
  let completions = 0;
  const app = Fastify({ logger: false, bodyLimit: 50 * 1024 * 1024, forceCloseConnections: true });

  app.post('/v1/chat/completions', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const messages: ChatMessage[] = Array.isArray(body.messages)
      ? (body.messages as Array<Record<string, unknown>>).map((m) => ({ role: String(m.role), content: textOf(m.content) }))
      : [];
    const toolChoice = body.tool_choice as { type?: string; function?: { name?: string } } | undefined;
    const responseFormat = body.response_format as { type?: string } | undefined;
    const toolName = toolChoice && typeof toolChoice === 'object' && toolChoice.type === 'function' ? toolChoice.function?.name : undefined;
    const mechanism: RecordedChatRequest['mechanism'] = toolName
      ? 'tool'
      : responseFormat?.type === 'json_object'
        ? 'json_object'
        : responseFormat?.type === 'json_schema'
          ? 'json_schema'
          : 'none';
    const rec: RecordedChatRequest = {
      n: requests.length,
      body,
      model: String(body.model ?? ''),
      messages,
      system: messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => m.content).join('\n\n'),
      user: messages.filter((m) => m.role === 'user').map((m) => m.content).join('\n\n'),
      mechanism,
      ...(toolName ? { toolName } : {}),
      ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
    };
    requests.push(rec);

    const scripted = queue.shift() ?? (handler ? await handler(rec) : undefined);
    if (!scripted) {
      return reply.status(400).send({ error: { message: 'fake-llm: no scripted reply', type: 'invalid_request_error' } });
    }
    if (scripted.delayMs) {
      // Resolve early when the client gives up (timeout/abort), so close() is not held up.
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, scripted.delayMs);
        reply.raw.once('close', () => {
          clearTimeout(t);
          resolve();
        });
      });
      if (reply.raw.destroyed || request.raw.socket.destroyed) return reply;
    }
    if ('status' in scripted) {
      return reply
        .status(scripted.status)
        .send({ error: { message: scripted.message ?? `fake-llm: scripted ${scripted.status}`, type: scripted.status >= 500 ? 'server_error' : 'invalid_request_error' } });
    }
    completions++;
    let content: string | null;
    let toolCalls: unknown[] | undefined;
    if ('content' in scripted) {
      content = scripted.content;
    } else {
      const payload = 'json' in scripted ? JSON.stringify(scripted.json) : scripted.raw;
      if (toolName) {
        content = null;
        toolCalls = [{ id: `call_${completions}`, type: 'function', function: { name: toolName, arguments: payload } }];
      } else {
        content = payload;
      }
    }
    return {
      id: `chatcmpl-fake-${completions}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: rec.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content, ...(toolCalls ? { tool_calls: toolCalls } : {}), refusal: null },
          finish_reason: toolCalls ? 'tool_calls' : 'stop',
          logprobs: null,
        },
      ],
      usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
    };
  });

  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    baseURL: `${address}/v1`,
    requests,
    /** Replies used in order, before the handler is consulted. */
    enqueue(...replies: FakeReply[]) {
      queue.push(...replies);
    },
    /** Answer requests the queue does not cover. */
    setHandler(h: FakeHandler | undefined) {
      handler = h;
    },
    /** Forget recorded requests and queued replies. */
    reset() {
      requests.length = 0;
      queue.length = 0;
      handler = undefined;
    },
    close: () => app.close(),
  };
}

export type FakeLlm = Awaited<ReturnType<typeof startFakeLlm>>;

/** The `[idx] [role] [start-end] text` lines between the transcript delimiters of a request. */
export function transcriptLines(req: RecordedChatRequest): { idx: number; role: string; start: number; end: number; text: string }[] {
  const m = /<transcript>\n([\s\S]*?)\n<\/transcript>/.exec(req.user);
  if (!m) return [];
  return m[1]!
    .split('\n')
    .map((line) => /^\[(\d+)\] \[(\w+)\] \[([\d.?]+)-([\d.?]+)\] (.*)$/.exec(line))
    .filter((x): x is RegExpExecArray => x !== null)
    .map((x) => ({ idx: Number(x[1]), role: x[2]!, start: Number(x[3]), end: Number(x[4]), text: x[5]! }));
}
