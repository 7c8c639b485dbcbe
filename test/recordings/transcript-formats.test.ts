import { describe, it, expect } from 'vitest';
import {
  detectFormat,
  parseTranscript,
  roleForSpeaker,
  TranscriptFormatError,
  type SegmentInput,
} from '../../src/recordings/transcript-formats.js';

/** Runs fn and returns the TranscriptFormatError it throws (fails the test otherwise). */
function formatError(fn: () => unknown): TranscriptFormatError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TranscriptFormatError);
    return err as TranscriptFormatError;
  }
  throw new Error('expected a TranscriptFormatError, nothing was thrown');
}

const lines = (...l: string[]) => l.join('\n');

describe('detectFormat', () => {
  it('detects WebVTT, including after a BOM and with header text', () => {
    expect(detectFormat('WEBVTT\n\n00:01.000 --> 00:02.000\nhi')).toBe('vtt');
    expect(detectFormat('\uFEFFWEBVTT - 客户回访\r\n\r\n00:01.000 --> 00:02.000\r\nhi')).toBe('vtt');
  });

  it('detects SRT from its first cue', () => {
    expect(detectFormat('1\n00:00:01,000 --> 00:00:02,000\nhello')).toBe('srt');
    expect(detectFormat('\uFEFF1\r\n00:00:01,000 --> 00:00:02,000\r\nhello')).toBe('srt');
  });

  it('detects segment arrays', () => {
    expect(detectFormat([])).toBe('segments');
    expect(detectFormat([{ start: 0, end: 1, text: 'hi' }])).toBe('segments');
  });

  it('rejects text that is neither', () => {
    const err = formatError(() => detectFormat('Hello, this is a plain text transcript.'));
    expect(err.message).toMatch(/unrecognised transcript format/);
    expect(err.line).toBe(1);
    expect(formatError(() => detectFormat('WEBVTTX\n')).message).toMatch(/unrecognised/);
  });

  it('hints at JSON text passed instead of an array', () => {
    expect(formatError(() => detectFormat('[{"start":0,"end":1,"text":"hi"}]')).message).toMatch(/looks like JSON/);
  });

  it('rejects empty text and non-string garbage', () => {
    expect(formatError(() => detectFormat('  \n\n')).message).toMatch(/no cues found/);
    expect(formatError(() => detectFormat(42 as unknown as string)).message).toMatch(/got 42/);
    expect(formatError(() => detectFormat(null as unknown as string)).message).toMatch(/got null/);
    expect(formatError(() => detectFormat({ text: 'x' } as unknown as string)).message).toMatch(/got an object/);
  });
});

describe('WebVTT', () => {
  it('parses a Teams-style English call with voice spans', () => {
    const vtt = lines(
      'WEBVTT',
      '',
      '3f1c2a9e-1',
      '00:00:01.200 --> 00:00:04.800',
      '<v Sarah Chen>Thanks for taking the time today, Mr. Lee.</v>',
      '',
      '3f1c2a9e-2',
      '00:00:05.000 --> 00:00:09.350',
      '<v David Lee>Sure. Our main question is about delivery lead times.</v>',
    );
    expect(parseTranscript(vtt, { speakerRoles: { 'Sarah Chen': 'rep', 'David Lee': 'customer' } })).toEqual([
      { speaker: 'Sarah Chen', role: 'rep', start: 1.2, end: 4.8, text: 'Thanks for taking the time today, Mr. Lee.' },
      {
        speaker: 'David Lee',
        role: 'customer',
        start: 5,
        end: 9.35,
        text: 'Sure. Our main question is about delivery lead times.',
      },
    ]);
  });

  it('parses a Chinese call with hh:mm:ss and mm:ss timestamps, without identifiers', () => {
    const vtt = lines(
      'WEBVTT',
      '',
      '00:12.500 --> 00:15.000',
      '<v 销售-王磊>王总您好，我是华东区的王磊。',
      '',
      '01:00:01.000 --> 01:00:06.250',
      '<v 客户>这批货最快什么时候能到？',
    );
    expect(parseTranscript(vtt)).toEqual([
      { speaker: '销售-王磊', role: 'rep', start: 12.5, end: 15, text: '王总您好，我是华东区的王磊。' },
      { speaker: '客户', role: 'customer', start: 3601, end: 3606.25, text: '这批货最快什么时候能到？' },
    ]);
  });

  it('reads <v.class Name> and strips other tags', () => {
    const vtt = lines(
      'WEBVTT',
      '',
      '00:00:01.000 --> 00:00:03.000',
      '<v.loud.customer Alice Wong><c.yellow>We <i>really</i> need</c> <b>SSO</b><00:00:02.000> support.</v>',
    );
    const [seg] = parseTranscript(vtt);
    expect(seg).toMatchObject({ speaker: 'Alice Wong', text: 'We really need SSO support.' });
  });

  it('decodes HTML entities after stripping tags', () => {
    const vtt = lines(
      'WEBVTT',
      '',
      '00:00:01.000 --> 00:00:03.000',
      '<v Rep>R&amp;D says &lt;i&gt; is fine,&nbsp;&nbsp;price &gt; 100&#33; &#x4F60;好',
    );
    expect(parseTranscript(vtt)[0]?.text).toBe('R&D says <i> is fine, price > 100! 你好');
  });

  it('skips header metadata and NOTE, STYLE and REGION blocks', () => {
    const vtt = lines(
      'WEBVTT Kind: captions',
      'Language: zh-CN',
      '',
      'STYLE',
      '::cue { color: yellow }',
      '',
      'REGION',
      'id:fred width:40%',
      '',
      'NOTE exported from the meeting recorder',
      'second line of the note',
      '',
      '00:00:01.000 --> 00:00:02.000',
      'Hello there.',
      '',
      'NOTE',
      'a note between cues 00:00:05.000 --> 00:00:06.000',
      '',
      '00:00:03.000 --> 00:00:04.000',
      'Bye.',
    );
    expect(parseTranscript(vtt).map((s) => s.text)).toEqual(['Hello there.', 'Bye.']);
  });

  it('ignores cue settings after the end time', () => {
    const vtt = lines('WEBVTT', '', 'intro', '00:00:01.000 --> 00:00:02.500 align:start position:10% line:0', 'Welcome.');
    expect(parseTranscript(vtt)[0]).toMatchObject({ start: 1, end: 2.5, text: 'Welcome.' });
  });

  it('joins multi-line cues with a space, but not between two CJK characters', () => {
    const vtt = lines(
      'WEBVTT',
      '',
      '00:00:01.000 --> 00:00:05.000',
      '<v Customer>We need the',
      'integration   by Q3,',
      'ideally earlier.',
      '',
      '00:00:06.000 --> 00:00:09.000',
      '<v 客户>这个价格我们',
      '还需要内部再讨论一下，',
      'CRM 对接也要确认',
    );
    const [en, zh] = parseTranscript(vtt);
    expect(en?.text).toBe('We need the integration by Q3, ideally earlier.');
    expect(zh?.text).toBe('这个价格我们还需要内部再讨论一下，CRM 对接也要确认');
  });

  it('takes the speaker from a Name: prefix when there is no voice span', () => {
    const vtt = lines(
      'WEBVTT',
      '',
      '00:00:01.000 --> 00:00:03.000',
      'Sales Rep: Did the sample arrive?',
      '',
      '00:00:04.000 --> 00:00:06.000',
      '客户：收到了，质量不错。',
      '',
      '00:00:07.000 --> 00:00:08.000',
      '销售:好的，那我们下周签合同？',
    );
    expect(parseTranscript(vtt).map(({ speaker, role, text }) => ({ speaker, role, text }))).toEqual([
      { speaker: 'Sales Rep', role: 'rep', text: 'Did the sample arrive?' },
      { speaker: '客户', role: 'customer', text: '收到了，质量不错。' },
      { speaker: '销售', role: 'rep', text: '好的，那我们下周签合同？' },
    ]);
  });

  it('splits one cue with two voices into two segments sharing its time', () => {
    const vtt = lines('WEBVTT', '', '00:00:10.000 --> 00:00:14.000', '<v Rep>Okay?</v>', '<v Customer>Yes, fine.</v>');
    const segs = parseTranscript(vtt);
    expect(segs.map((s) => [s.speaker, s.text])).toEqual([
      ['Rep', 'Okay?'],
      ['Customer', 'Yes, fine.'],
    ]);
    expect(segs[0]?.start).toBe(10);
    expect(segs[0]?.end).toBe(segs[1]?.start);
    expect(segs[1]?.end).toBe(14);
    expect(segs[0]!.end).toBeGreaterThan(10);
    expect(segs[0]!.end).toBeLessThan(14);
  });

  it('splits one cue with a Name: line per speaker', () => {
    const vtt = lines('WEBVTT', '', '00:00:01.000 --> 00:00:03.000', '销售：您好', '客户：你好，请讲');
    expect(parseTranscript(vtt).map((s) => [s.speaker, s.role, s.text])).toEqual([
      ['销售', 'rep', '您好'],
      ['客户', 'customer', '你好，请讲'],
    ]);
  });

  it('accepts a cue that follows the header with no blank line', () => {
    const vtt = lines('WEBVTT', '00:00:01.000 --> 00:00:02.000', 'Hi.');
    expect(parseTranscript(vtt)).toHaveLength(1);
  });

  it('skips cues with no text, or only markup', () => {
    const vtt = lines(
      'WEBVTT',
      '',
      '00:00:01.000 --> 00:00:02.000',
      '',
      '00:00:02.000 --> 00:00:03.000',
      '<v Rep></v>',
      '',
      '00:00:03.000 --> 00:00:04.000',
      '<i>&nbsp;</i>',
      '',
      '00:00:04.000 --> 00:00:05.000',
      'Only this one.',
    );
    expect(parseTranscript(vtt).map((s) => s.text)).toEqual(['Only this one.']);
  });

  it('sorts out-of-order cues by start', () => {
    const vtt = lines(
      'WEBVTT',
      '',
      '00:00:20.000 --> 00:00:22.000',
      'third',
      '',
      '00:00:01.000 --> 00:00:02.000',
      'first',
      '',
      '00:00:05.000 --> 00:00:06.000',
      'second',
    );
    expect(parseTranscript(vtt).map((s) => s.text)).toEqual(['first', 'second', 'third']);
  });

  it('accepts blank lines before the header and a Name: line followed by its text', () => {
    const vtt = lines('', '', 'WEBVTT', '', '00:00:01.000 --> 00:00:02.000', 'Alice:', 'hello there');
    expect(parseTranscript(vtt)).toEqual([{ speaker: 'Alice', role: 'unknown', start: 1, end: 2, text: 'hello there' }]);
  });

  // Catastrophic regex backtracking would hang until the test timeout; no wall-clock assertion.
  it('finishes on pathological markup', () => {
    const cue = '<v' + '.a'.repeat(5000) + '\n' + '<'.repeat(20000) + ' x:' + ':'.repeat(5000);
    expect(parseTranscript(lines('WEBVTT', '', '00:00:01.000 --> 00:00:02.000', cue))).toHaveLength(1);
  });

  it('gives speaker "unknown" when there is no speaker', () => {
    const vtt = lines('WEBVTT', '', '00:00:01.000 --> 00:00:02.000', 'No label here.');
    expect(parseTranscript(vtt)[0]).toMatchObject({ speaker: 'unknown', role: 'unknown' });
  });
});

describe('SRT', () => {
  it('parses a Chinese SRT with CRLF line endings, a BOM and Name： prefixes', () => {
    const srt =
      '\uFEFF1\r\n00:00:01,000 --> 00:00:03,500\r\n销售顾问：王总，上次的报价您看了吗？\r\n\r\n' +
      '2\r\n00:00:04,000 --> 00:00:08,250\r\n采购-李明：看了，价格还是偏高，\r\n能不能再让一点？\r\n\r\n';
    expect(parseTranscript(srt)).toEqual([
      { speaker: '销售顾问', role: 'rep', start: 1, end: 3.5, text: '王总，上次的报价您看了吗？' },
      { speaker: '采购-李明', role: 'customer', start: 4, end: 8.25, text: '看了，价格还是偏高，能不能再让一点？' },
    ]);
  });

  it('parses an English SRT with <i> and <font> tags and a dot separator', () => {
    const srt = lines(
      '1',
      '00:00:02,100 --> 00:00:05,000',
      'Agent: <font color="#ffff00">Hi, this is Tom from Acme.</font>',
      '',
      '2',
      '00:00:05.200 --> 00:00:07.900',
      'Client: <i>Hi Tom,</i>',
      'go ahead.',
    );
    expect(parseTranscript(srt)).toEqual([
      { speaker: 'Agent', role: 'rep', start: 2.1, end: 5, text: 'Hi, this is Tom from Acme.' },
      { speaker: 'Client', role: 'customer', start: 5.2, end: 7.9, text: 'Hi Tom, go ahead.' },
    ]);
  });

  it('strips ASS override codes but keeps a literal "<" in speech', () => {
    const srt = lines('1', '00:00:01,000 --> 00:00:02,000', '{\\an8}Budget is < 100k and > 50k');
    expect(parseTranscript(srt)[0]?.text).toBe('Budget is < 100k and > 50k');
  });

  it('skips empty cues and sorts by start', () => {
    const srt = lines(
      '1',
      '00:00:09,000 --> 00:00:10,000',
      'later',
      '',
      '2',
      '00:00:03,000 --> 00:00:04,000',
      '',
      '3',
      '00:00:01,000 --> 00:00:02,000',
      'earlier',
    );
    expect(parseTranscript(srt).map((s) => s.text)).toEqual(['earlier', 'later']);
  });

  it('can be forced with opts.format', () => {
    const srt = lines('1', '00:00:01,000 --> 00:00:02,000', 'hi');
    expect(parseTranscript(srt, { format: 'srt' })).toHaveLength(1);
    expect(formatError(() => parseTranscript(srt, { format: 'vtt' })).message).toMatch(/missing "WEBVTT" header/);
  });
});

describe('speaker prefixes that are not speakers', () => {
  const firstSrtSegment = (text: string) =>
    parseTranscript(lines('1', '00:00:01,000 --> 00:00:02,000', text))[0];

  it.each([
    ['10:30 we meet at the factory', '10:30 we meet at the factory'],
    ['http://x.example.com/price-list is the link', 'http://x.example.com/price-list is the link'],
    ['The main thing we need to settle is this: pricing', 'The main thing we need to settle is this: pricing'],
    ['The answer is: yes', 'The answer is: yes'],
    ['Note: the price excludes VAT', 'Note: the price excludes VAT'],
    ['We checked it. Note: the price excludes VAT', 'We checked it. Note: the price excludes VAT'],
    ['Ratio 3:1 is fine', 'Ratio 3:1 is fine'],
    ['我们今天主要讨论三个问题：价格、交期和售后', '我们今天主要讨论三个问题：价格、交期和售后'],
    ['我的问题是：交期多久', '我的问题是：交期多久'],
    ['时间：10:30', '时间：10:30'],
    ['An extremely long speaker label here: text', 'An extremely long speaker label here: text'],
  ])('%s', (input, text) => {
    expect(firstSrtSegment(input)).toMatchObject({ speaker: 'unknown', text });
  });

  it('still accepts short labels, titles and bracketed roles', () => {
    expect(firstSrtSegment('Dr. Zhang: Good morning')).toMatchObject({ speaker: 'Dr. Zhang', text: 'Good morning' });
    expect(firstSrtSegment('Speaker 2 (Buyer): ok')).toMatchObject({ speaker: 'Speaker 2 (Buyer)', role: 'customer' });
    expect(firstSrtSegment('王磊（销售）：明白')).toMatchObject({ speaker: '王磊（销售）', role: 'rep', text: '明白' });
  });
});

describe('segments', () => {
  it('validates and normalises an array of segments', () => {
    const input: SegmentInput[] = [
      { speaker: '  客户  ', start: 61.2, end: 66, text: '  这批货最快\n什么时候能到?  ' },
      { speaker: 'Linda', role: 'rep', start: 55, end: 60.5, text: 'Any   questions   on the quote?' },
      { start: 67, end: 67, text: 'mm' },
    ];
    expect(parseTranscript(input)).toEqual([
      { speaker: 'Linda', role: 'rep', start: 55, end: 60.5, text: 'Any questions on the quote?' },
      { speaker: '客户', role: 'customer', start: 61.2, end: 66, text: '这批货最快什么时候能到?' },
      { speaker: 'unknown', role: 'unknown', start: 67, end: 67, text: 'mm' },
    ]);
  });

  it('explicit role beats the speakerRoles map and the hints', () => {
    const [seg] = parseTranscript([{ speaker: '销售', role: 'customer', start: 0, end: 1, text: 'x' }], {
      speakerRoles: { 销售: 'rep' },
    });
    expect(seg?.role).toBe('customer');
  });

  it.each<[string, unknown, RegExp]>([
    ['NaN start', { start: Number.NaN, end: 1, text: 'x' }, /segments\[1\]\.start must be a finite number.*NaN/],
    ['Infinity end', { start: 0, end: Infinity, text: 'x' }, /segments\[1\]\.end must be a finite number/],
    ['string start', { start: '0', end: 1, text: 'x' }, /segments\[1\]\.start must be a finite number/],
    ['negative start', { start: -1, end: 1, text: 'x' }, /segments\[1\]\.start must not be negative/],
    ['end before start', { start: 5, end: 4, text: 'x' }, /segments\[1\]: end \(4\) is before start \(5\)/],
    ['missing text', { start: 0, end: 1 }, /segments\[1\]: text must be a non-empty string/],
    ['blank text', { start: 0, end: 1, text: '  \n ' }, /segments\[1\]: text must be a non-empty string/],
    ['non-string speaker', { speaker: 7, start: 0, end: 1, text: 'x' }, /segments\[1\]: speaker must be a string/],
    ['bad role', { role: 'boss', start: 0, end: 1, text: 'x' }, /segments\[1\]: role must be one of rep, customer, unknown/],
    ['beyond 24 h', { start: 0, end: 86_401, text: 'x' }, /segments\[1\]\.end is beyond 24 hours/],
    ['not an object', 'hello', /segments\[1\]: expected an object/],
    ['null', null, /segments\[1\]: expected an object/],
  ])('rejects %s, naming the index', (_name, bad, message) => {
    const input = [{ start: 0, end: 1, text: 'ok' }, bad] as SegmentInput[];
    expect(formatError(() => parseTranscript(input)).message).toMatch(message);
  });

  it('rejects an empty array', () => {
    expect(formatError(() => parseTranscript([])).message).toMatch(/no cues found/);
  });
});

describe('malformed text', () => {
  it('names the line of a bad timestamp', () => {
    const vtt = lines('WEBVTT', '', '00:00:01.000 --> 00:00:02.000', 'ok', '', '00:00:03.000 --> 00:0x:04.000', 'bad');
    const err = formatError(() => parseTranscript(vtt));
    expect(err.line).toBe(6);
    expect(err.message).toMatch(/^line 6: bad timestamp "00:0x:04.000"/);
  });

  it('rejects minutes or seconds of 60 and more', () => {
    const srt = lines('1', '00:00:01,000 --> 00:00:02,000', 'ok', '', '2', '00:61:00,000 --> 00:62:00,000', 'x');
    expect(formatError(() => parseTranscript(srt))).toMatchObject({ line: 6 });
  });

  it('rejects a timing line without a start time', () => {
    const srt = lines('1', '--> 00:00:02,000', 'x');
    expect(formatError(() => parseTranscript(srt, { format: 'srt' })).message).toMatch(/^line 2: bad timestamp/);
  });

  it('rejects a cue that ends before it starts', () => {
    const srt = lines('1', '00:00:05,000 --> 00:00:03,000', 'backwards');
    const err = formatError(() => parseTranscript(srt));
    expect(err.line).toBe(2);
    expect(err.message).toMatch(/ends \(00:00:03,000\) before it starts \(00:00:05,000\)/);
  });

  it('rejects times beyond 24 hours', () => {
    const vtt = lines('WEBVTT', '', '24:00:00.001 --> 24:00:01.000', 'late');
    expect(formatError(() => parseTranscript(vtt)).message).toMatch(/^line 3: .*beyond 24 hours/);
  });

  it('rejects a file with zero cues', () => {
    expect(formatError(() => parseTranscript('WEBVTT\n\nNOTE nothing yet\n')).message).toMatch(/no cues found/);
    expect(formatError(() => parseTranscript('WEBVTT')).message).toMatch(/no cues found/);
    const allEmpty = lines('1', '00:00:01,000 --> 00:00:02,000', '', '2', '00:00:03,000 --> 00:00:04,000', '<i></i>');
    expect(formatError(() => parseTranscript(allEmpty)).message).toMatch(/no cues found/);
  });

  it('rejects a block with no timing line, naming its line', () => {
    const vtt = lines('WEBVTT', '', '00:00:01.000 --> 00:00:02.000', 'ok', '', 'cue-2', 'stray text');
    const err = formatError(() => parseTranscript(vtt));
    expect(err.line).toBe(7);
    expect(err.message).toMatch(/expected a cue timing line/);
  });

  it('rejects cues run together without a blank line', () => {
    const srt = lines('1', '00:00:01,000 --> 00:00:02,000', 'one', '2', '00:00:03,000 --> 00:00:04,000', 'two');
    const err = formatError(() => parseTranscript(srt));
    expect(err.line).toBe(5);
    expect(err.message).toMatch(/missing blank line/);
  });

  it('rejects non-string, non-array input and mismatched forced formats', () => {
    expect(formatError(() => parseTranscript(undefined as unknown as string)).message).toMatch(/got nothing/);
    expect(formatError(() => parseTranscript({} as unknown as string)).message).toMatch(/got an object/);
    expect(formatError(() => parseTranscript('WEBVTT', { format: 'segments' })).message).toMatch(/needs an array/);
    expect(formatError(() => parseTranscript([], { format: 'vtt' })).message).toMatch(/needs transcript text/);
  });

  it('rejects a speakerRoles map with an invalid role', () => {
    const segs = [{ speaker: 'A', start: 0, end: 1, text: 'x' }];
    const opts = { speakerRoles: { A: 'boss' } } as unknown as { speakerRoles: Record<string, 'rep'> };
    expect(formatError(() => parseTranscript(segs, opts)).message).toMatch(/speakerRoles\["A"\] must be one of/);
  });
});

describe('roleForSpeaker', () => {
  it('uses the map exactly, then case-insensitively', () => {
    const map = { 'Wang Lei': 'rep', 'zhang wei': 'customer' } as const;
    expect(roleForSpeaker('Wang Lei', map)).toBe('rep');
    expect(roleForSpeaker('WANG LEI', map)).toBe('rep');
    expect(roleForSpeaker('Zhang Wei', map)).toBe('customer');
  });

  it('prefers the map over name hints', () => {
    expect(roleForSpeaker('Customer 1', { 'Customer 1': 'rep' })).toBe('rep');
  });

  it.each([
    ['rep', 'rep'],
    ['Sales', 'rep'],
    ['Agent Smith', 'rep'],
    ['销售', 'rep'],
    ['销售-王磊', 'rep'],
    ['客服小李', 'rep'],
    ['顾问', 'rep'],
    ['业务员张三', 'rep'],
    ['客户经理', 'rep'],
    ['Customer Success Manager', 'rep'],
    ['Wang Lei (Sales)', 'rep'],
    ['customer', 'customer'],
    ['Customer 1', 'customer'],
    ['Customer1', 'customer'],
    ['Client', 'customer'],
    ['buyer', 'customer'],
    ['客户', 'customer'],
    ['客户-李总', 'customer'],
    ['买家', 'customer'],
    ['采购部', 'customer'],
    ['李总（客户）', 'customer'],
    ['Report', 'unknown'],
    ['Clientele', 'unknown'],
    ['Speaker 1', 'unknown'],
    ['张伟', 'unknown'],
    ['unknown', 'unknown'],
  ])('%s → %s', (speaker, role) => {
    expect(roleForSpeaker(speaker)).toBe(role);
  });

  it('does not read Object.prototype keys as map entries', () => {
    expect(roleForSpeaker('constructor', {})).toBe('unknown');
    expect(roleForSpeaker('toString', { rep: 'rep' })).toBe('unknown');
  });
});
