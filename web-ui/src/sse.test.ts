import { describe, expect, it } from 'vitest';
import { SseParser, type SseMessage } from './sse';

describe('SseParser', () => {
  it('parses events split across chunks, with ids, types, comments and CRLF', () => {
    const out: SseMessage[] = [];
    const p = new SseParser((m) => out.push(m));
    p.push(':keepalive\n\nid: 1\nevent: status\nda');
    p.push('ta: {"seq":1}\r\n\r');
    p.push('\nid: 2\nevent: metric\ndata: a\ndata: b\n\n');
    expect(out).toEqual([
      { id: '1', event: 'status', data: '{"seq":1}' },
      { id: '2', event: 'metric', data: 'a\nb' },
    ]);
  });

  it('does not dispatch an event without data, and keeps the last id', () => {
    const out: SseMessage[] = [];
    const p = new SseParser((m) => out.push(m));
    p.push('id: 7\n\ndata: x\n\n');
    expect(out).toEqual([{ id: '7', event: 'message', data: 'x' }]);
  });
});
